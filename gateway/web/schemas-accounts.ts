import { Type as T } from '@sinclair/typebox';

/** JSON Schemas of the session, accounts, audit and overview API (issue 5). */

const NStr = T.Union([T.String(), T.Null()]);
const NInt = T.Union([T.Integer(), T.Null()]);
export const RoleSchema = T.Union([T.Literal('viewer'), T.Literal('operator'), T.Literal('admin')]);
const UserName = T.String({ minLength: 2, maxLength: 32, pattern: '^[A-Za-z0-9_.-]+$' });

export const LoginBody = T.Object(
  { user: T.String({ minLength: 1, maxLength: 64 }), password: T.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);

export const SessionReply = T.Object({
  user: T.String(),
  role: RoleSchema,
  kind: T.Union([T.Literal('user'), T.Literal('token')]),
  csrf: NStr,
  estate: T.Object({ id: T.String(), name: T.String() }),
});

export const User = T.Object({
  name: T.String(),
  role: RoleSchema,
  disabled: T.Boolean(),
  createdAt: T.String(),
  passwordChangedAt: T.String(),
  lastLoginAt: NStr,
});
export const UsersReply = T.Object({ items: T.Array(User) });

export const NewUserBody = T.Object(
  {
    name: UserName,
    role: RoleSchema,
    password: T.Optional(T.String({ minLength: 10, maxLength: 256, description: 'Omit to generate one' })),
  },
  { additionalProperties: false },
);
export const UserParams = T.Object({ name: UserName }, { additionalProperties: false });
export const UserPatchBody = T.Object(
  { role: T.Optional(RoleSchema), disabled: T.Optional(T.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
);
export const PasswordBody = T.Object(
  { password: T.Optional(T.String({ minLength: 10, maxLength: 256 })) },
  { additionalProperties: false },
);
export const OwnPasswordBody = T.Object(
  {
    current: T.String({ minLength: 1, maxLength: 256 }),
    password: T.String({ minLength: 10, maxLength: 256 }),
  },
  { additionalProperties: false },
);
export const UserWithPassword = T.Object({ user: User, password: NStr });

export const AuditQuery = T.Object(
  {
    actor: T.Optional(T.String({ maxLength: 80 })),
    action: T.Optional(T.String({ maxLength: 40, pattern: '^[a-z._]+$' })),
    household: T.Optional(T.String({ maxLength: 64 })),
    case: T.Optional(T.String({ maxLength: 64 })),
    before: T.Optional(T.Integer({ minimum: 1 })),
    limit: T.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
);
export const AuditItem = T.Object({
  seq: T.Integer(),
  time: T.String(),
  actor: T.String(),
  role: NStr,
  action: T.String(),
  householdId: NStr,
  caseId: NStr,
  target: NStr,
  ip: NStr,
  outcome: T.String(),
  detail: T.Union([T.Record(T.String(), T.Unknown()), T.Null()]),
});
export const AuditReply = T.Object({ items: T.Array(AuditItem), next: NInt });

const Count = T.Object({ key: T.String(), label: T.String(), count: T.Integer() });
export const OverviewReply = T.Object({
  now: T.String(),
  today: T.Object({ in: T.Integer(), out: T.Integer(), denied: T.Integer() }),
  openAlerts: T.Object({ total: T.Integer(), byKind: T.Array(Count) }),
  devices: T.Object({ online: T.Integer(), offline: T.Integer(), unknown: T.Integer() }),
  hourly: T.Array(T.Object({ hour: T.String(), in: T.Integer(), out: T.Integer() })),
  newest: T.Array(
    T.Object({
      id: T.String(),
      kind: T.String(),
      label: T.String(),
      severity: T.String(),
      state: T.String(),
      householdId: NStr,
      doorName: NStr,
      lastTime: T.String(),
      count: T.Integer(),
    }),
  ),
});
