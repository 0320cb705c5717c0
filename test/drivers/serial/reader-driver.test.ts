import t from 'tap';
import { createFingerprintDriver } from '../../../drivers/fingerprint/driver.js';
import { createIdCardDriver } from '../../../drivers/idcard/driver.js';
import type { SerialDriverOptions } from '../../../drivers/serial/reader-port.js';
import type { DriverContext } from '../../../drivers/types.js';
import { createWiegandDriver } from '../../../drivers/wiegand/driver.js';
import { makeContext } from '../../../testkit/drivers/context.js';
import { FakeTimers } from '../../../testkit/drivers/fake-timers.js';

/** The three serial reader drivers share SerialReaderDriver: what each must do the same way. */
const drivers: [
  string,
  string,
  (ctx: DriverContext, o: SerialDriverOptions) => { stats(id: string): unknown },
][] = [
  ['wiegand', 'Wiegand converter', createWiegandDriver],
  ['idcard', 'ID-card reader', createIdCardDriver],
  ['fingerprint', 'fingerprint reader', createFingerprintDriver],
];

for (const [name, what, create] of drivers) {
  t.test(`${name}: one line per reader, looked up by id; commands only logged`, async (t) => {
    const { ctx, clock, logLines } = makeContext([
      { id: 'r1', door: 'd1', options: { path: '/dev/none-1' } },
      { id: 'r2', door: 'd2', options: { path: '/dev/none-2' } },
    ]);
    const driver = create(ctx, { timers: new FakeTimers(clock) }) as ReturnType<typeof create> & {
      command(id: string, cmd: { action: string }): void;
    };
    t.ok(driver.stats('r1'), 'the first reader has a line');
    t.ok(driver.stats('r2'), 'so has the second');
    t.throws(() => driver.stats('r3'), { code: 'UNKNOWN_READER', message: `no ${what} r3` });

    driver.command('r1', { action: 'unlock' });
    const line = logLines.map((l) => JSON.parse(l) as { msg: string; reader?: string }).at(-1);
    t.equal(line?.msg, `${what}s switch no door; command ignored`);
    t.equal(line?.reader, 'r1', 'the log names the reader');
  });
}
