import type { Logger } from 'pino';
import t from 'tap';
import { GatewayError } from '../../../core/errors.js';
import { sendDoorOpen, TerminalCounters } from '../../../drivers/http/counters.js';
import { waitFor } from '../../../testkit/wait.js';

// A remote door open is sent without waiting; its failure is counted and logged (issue 11).

function terminal() {
  const lines: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  const log = {
    warn: (obj: Record<string, unknown>, msg: string) => lines.push({ obj, msg }),
  } as unknown as Logger;
  return { readerId: 'HK-1', counters: new TerminalCounters(), log, lines };
}

t.test('an open the terminal accepts is counted as a command, not as a failure', async (t) => {
  const term = terminal();
  let done = false;
  sendDoorOpen(term, 'remote door open', async () => {
    done = true;
  });
  await waitFor(() => done);
  await new Promise((r) => setImmediate(r));
  t.equal(term.counters.get('door_commands'), 1);
  t.equal(term.counters.get('door_failures'), 0);
  t.same(term.lines, []);
});

t.test('a refused open is counted and logged with the reader and the code, never thrown', async (t) => {
  const term = terminal();
  sendDoorOpen(term, 'openDoor', () => Promise.reject(new GatewayError('DOOR_REFUSED', '403 locked')));
  t.equal(term.counters.get('door_commands'), 1, 'counted when sent');
  await waitFor(() => term.counters.get('door_failures') === 1);
  t.same(term.lines, [
    { obj: { reader: 'HK-1', code: 'DOOR_REFUSED', reason: '403 locked' }, msg: 'openDoor failed' },
  ]);
  sendDoorOpen(term, 'openDoor', () => Promise.reject(new Error('socket hang up')));
  await waitFor(() => term.counters.get('door_failures') === 2);
  t.equal(term.lines[1]?.obj.code, 'ERROR', 'an error without a gateway code');
});
