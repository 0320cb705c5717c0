import { GatewayError } from '../../../core/errors.js';
import { generatePassword } from '../../accounts/passwords.js';
import type { User } from '../../accounts/users.js';
import type { RouteModule } from '../context.js';
import { problem } from '../problem.js';
import * as S from '../schemas.js';
import * as A from '../schemas-accounts.js';

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/** An account as the API shows it: times in ISO, never the hash. */
export function presentUser(u: User) {
  return {
    ...u,
    createdAt: iso(u.createdAt)!,
    passwordChangedAt: iso(u.passwordChangedAt)!,
    lastLoginAt: iso(u.lastLoginAt),
  };
}

const errors = { 400: S.ErrorReply, 404: S.ErrorReply, 409: S.ErrorReply };

/** Users (admin): list, add, change role or disable, set a password. Every change audited. */
export const accountRoutes: RouteModule = (app, w) => {
  const { users } = w.accounts;
  const admin = { preValidation: w.auth.require('admin') };
  const fail = (err: unknown) => {
    if (err instanceof GatewayError) {
      const status = err.code === 'USER_EXISTS' ? 409 : err.code === 'USER_UNKNOWN' ? 404 : 400;
      return { status, body: problem(status, err.message) };
    }
    throw err;
  };

  app.get('/api/users', { ...admin, schema: { response: { 200: A.UsersReply } } }, async () => ({
    items: users.list().map(presentUser),
  }));

  app.post(
    '/api/users',
    { ...admin, schema: { body: A.NewUserBody, response: { 201: A.UserWithPassword, ...errors } } },
    async (req, reply) => {
      const generated = req.body.password === undefined ? generatePassword() : null;
      try {
        const u = await users.add(req.body.name, req.body.role, req.body.password ?? generated!);
        w.audit(req, { action: 'user.add', target: u.name, detail: { role: u.role } });
        reply.header('cache-control', 'no-store');
        return reply.status(201).send({ user: presentUser(u), password: generated });
      } catch (err) {
        const f = fail(err);
        return reply.status(f.status).send(f.body);
      }
    },
  );

  app.patch(
    '/api/users/:name',
    {
      ...admin,
      schema: { params: A.UserParams, body: A.UserPatchBody, response: { 200: A.User, ...errors } },
    },
    async (req, reply) => {
      const me = req.principal?.name.toLowerCase() === req.params.name.toLowerCase();
      if (me && (req.body.disabled || (req.body.role && req.body.role !== 'admin')))
        return reply.status(409).send(problem(409, 'an admin cannot disable or demote their own account'));
      try {
        const u = users.update(req.params.name, req.body);
        // A disabled or re-roled account's open streams end: they were opened as it was.
        if (req.body.disabled || req.body.role !== undefined) w.streams.endUser(u.name);
        w.audit(req, { action: 'user.update', target: u.name, detail: { ...req.body } });
        return presentUser(u);
      } catch (err) {
        const f = fail(err);
        return reply.status(f.status).send(f.body);
      }
    },
  );

  app.post(
    '/api/users/:name/password',
    {
      ...admin,
      schema: {
        params: A.UserParams,
        body: A.PasswordBody,
        response: { 200: A.UserWithPassword, ...errors },
      },
    },
    async (req, reply) => {
      const generated = req.body.password === undefined ? generatePassword() : null;
      try {
        await users.setPassword(req.params.name, req.body.password ?? generated!);
        w.streams.endUser(req.params.name);
        const u = users.get(req.params.name)!;
        w.audit(req, { action: 'user.password', target: u.name, detail: { generated: generated !== null } });
        reply.header('cache-control', 'no-store');
        return { user: presentUser(u), password: generated };
      } catch (err) {
        const f = fail(err);
        return reply.status(f.status).send(f.body);
      }
    },
  );
};
