import { userInfo } from 'node:os';
import path from 'node:path';
import { systemClock } from '../core/clock.js';
import { GatewayError } from '../core/errors.js';
import { AuditLog } from '../gateway/accounts/audit.js';
import { generatePassword, passwordProblem } from '../gateway/accounts/passwords.js';
import { ROLES, type Role, UserStore } from '../gateway/accounts/users.js';
import { openDb } from '../gateway/store/db.js';
import { defaultConfigPath, parse, UsageError } from './args.js';
import { loadOrExit } from './config-file.js';
import { USER_HELP } from './help.js';
import { promptHidden, readStdinLine } from './prompt.js';

/** The new password: typed twice at a terminal, read from stdin, or generated (and shown once). */
async function choosePassword(o: {
  generate?: boolean;
  stdin?: boolean;
}): Promise<{ password: string; generated: boolean }> {
  if (o.stdin) return { password: await readStdinLine(), generated: false };
  if (o.generate || !process.stdin.isTTY) return { password: generatePassword(), generated: true };
  for (;;) {
    const a = await promptHidden('New password (empty: generate one): ');
    if (a === '') return { password: generatePassword(), generated: true };
    const bad = passwordProblem(a);
    if (bad) {
      console.error(bad);
      continue;
    }
    if ((await promptHidden('Repeat it: ')) === a) return { password: a, generated: false };
    console.error('the two passwords differ; again');
  }
}

const fmt = (t: number | null) =>
  t === null ? '-' : new Date(t).toISOString().slice(0, 16).replace('T', ' ');

/** `estate-gateway user add|passwd|list`. Returns the exit code. */
export async function userCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      config: { type: 'string', short: 'c' },
      role: { type: 'string', short: 'r' },
      generate: { type: 'boolean' },
      'password-stdin': { type: 'boolean' },
    },
    true,
  );
  if (values.help) {
    console.log(USER_HELP);
    return 0;
  }
  const [sub, name, ...rest] = positionals;
  if (rest.length > 0) throw new UsageError(`unexpected ${rest.join(' ')}`);
  if (sub !== 'list' && sub !== 'add' && sub !== 'passwd')
    throw new UsageError('expected: user add|passwd|list');
  if (sub !== 'list' && !name) throw new UsageError(`expected: user ${sub} NAME`);
  const role = values.role as Role | undefined;
  if (sub === 'add' && (!role || !ROLES.includes(role)))
    throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);

  const loaded = loadOrExit(values.config ?? defaultConfigPath());
  const db = openDb(path.join(loaded.dataDir, 'gateway.db'));
  try {
    const users = new UserStore(db, systemClock);
    if (sub === 'list') {
      const all = users.list();
      if (all.length === 0) console.log('no users yet: estate-gateway user add NAME --role admin');
      for (const u of all)
        console.log(
          `${u.name.padEnd(20)} ${u.role.padEnd(9)} ${u.disabled ? 'disabled' : 'enabled '}  created ${fmt(u.createdAt)}  last login ${fmt(u.lastLoginAt)}`,
        );
      return 0;
    }
    const { password, generated } = await choosePassword({
      generate: values.generate,
      stdin: values['password-stdin'],
    });
    const audit = new AuditLog(db, systemClock);
    const actor = `cli:${userInfo().username}`;
    try {
      if (sub === 'add') await users.add(name!, role!, password);
      else await users.setPassword(name!, password);
    } catch (err) {
      if (err instanceof GatewayError) {
        console.error(`estate-gateway: ${err.message}`);
        return 1;
      }
      throw err;
    }
    audit.record({
      actor,
      action: sub === 'add' ? 'user.add' : 'user.password',
      target: name!,
      detail: sub === 'add' ? { role } : { generated },
    });
    console.log(
      sub === 'add' ? `user ${name} added (${role})` : `password of ${name} changed; their sessions ended`,
    );
    if (generated) console.log(`password: ${password}\n(shown once: it is stored only as a scrypt hash)`);
    return 0;
  } finally {
    db.close();
  }
}
