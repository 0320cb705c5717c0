import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { systemClock } from '../core/clock.js';
import { AuditLog } from '../gateway/accounts/audit.js';
import { generatePassword } from '../gateway/accounts/passwords.js';
import { UserStore } from '../gateway/accounts/users.js';
import type { Db } from '../gateway/store/db.js';

/** The demo's dashboard account. */
export const DEMO_USER = 'demo';

/**
 * The demo login of `npm start`: an admin whose password is generated on the first run
 * and kept in {dataDir}/demo-login.txt (mode 0600), so every start can print it. There
 * is no fixed default password anywhere. If the password was changed on the dashboard
 * the file no longer matches, and the demo says so instead of resetting it.
 */
export async function ensureDemoLogin(
  db: Db,
  dataDir: string,
): Promise<{ user: string; password: string | null; file: string }> {
  const file = path.join(dataDir, 'demo-login.txt');
  const users = new UserStore(db, systemClock);
  const stored = existsSync(file) ? /^password: (.+)$/m.exec(readFileSync(file, 'utf8'))?.[1] : undefined;
  if (users.get(DEMO_USER) && stored) {
    return { user: DEMO_USER, password: (await users.verify(DEMO_USER, stored)) ? stored : null, file };
  }
  const password = generatePassword();
  if (users.get(DEMO_USER)) await users.setPassword(DEMO_USER, password);
  else await users.add(DEMO_USER, 'admin', password);
  writeFileSync(
    file,
    `# estate-gateway demo login (generated on first run)\nuser: ${DEMO_USER}\npassword: ${password}\n`,
    {
      mode: 0o600,
    },
  );
  new AuditLog(db, systemClock).record({
    actor: 'demo',
    action: 'user.add',
    target: DEMO_USER,
    detail: { role: 'admin' },
  });
  return { user: DEMO_USER, password, file };
}
