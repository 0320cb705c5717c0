import { Writable } from 'node:stream';
import t from 'tap';
import { GatewayError } from '../../core/errors.js';
import { Lifecycle, type Step } from '../../gateway/lifecycle.js';
import { createLogger } from '../../gateway/log.js';

// Issue 8: the composition root starts its parts as an ordered list of steps, stops them
// in reverse with each stop bounded, and rolls back what started when a step fails.

/** What a step does when asked: succeed, throw, or never finish. */
type Behaviour = 'ok' | 'fail' | 'hang';

interface Rig {
  life: Lifecycle;
  /** "start a", "stop a"… in the order they happened. */
  calls: string[];
  logs: Array<Record<string, unknown>>;
}

function rig(spec: Array<[name: string, start: Behaviour, stop: Behaviour]>, stopStepMs = 1000): Rig {
  const calls: string[] = [];
  const act = async (what: string, b: Behaviour) => {
    calls.push(what);
    if (b === 'fail') throw new GatewayError('BOOM', `${what} failed`);
    if (b === 'hang') await new Promise<never>(() => {});
  };
  const steps: Step[] = spec.map(([name, start, stop]) => ({
    name,
    start: () => act(`start ${name}`, start),
    stop: () => act(`stop ${name}`, stop),
  }));
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n'))
        if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  return {
    life: new Lifecycle(steps, { log: createLogger({ level: 'info', destination: sink }), stopStepMs }),
    calls,
    logs,
  };
}

const CASES: Array<{
  name: string;
  steps: Array<[string, Behaviour, Behaviour]>;
  startError: RegExp | null;
  calls: string[];
  running: string[];
}> = [
  {
    name: 'all start in order',
    steps: [
      ['store', 'ok', 'ok'],
      ['broker', 'ok', 'ok'],
      ['http', 'ok', 'ok'],
    ],
    startError: null,
    calls: ['start store', 'start broker', 'start http'],
    running: ['store', 'broker', 'http'],
  },
  {
    name: 'the third fails: the two before stop in reverse, the failed one is not stopped',
    steps: [
      ['store', 'ok', 'ok'],
      ['broker', 'ok', 'ok'],
      ['http', 'fail', 'ok'],
      ['housekeeping', 'ok', 'ok'],
    ],
    startError: /start http failed/,
    calls: ['start store', 'start broker', 'start http', 'stop broker', 'stop store'],
    running: [],
  },
  {
    name: 'the first fails: nothing to roll back',
    steps: [
      ['store', 'fail', 'ok'],
      ['broker', 'ok', 'ok'],
    ],
    startError: /start store failed/,
    calls: ['start store'],
    running: [],
  },
  {
    name: 'a rollback stop that fails does not hide the start failure, and the rest still stop',
    steps: [
      ['store', 'ok', 'ok'],
      ['broker', 'ok', 'fail'],
      ['http', 'fail', 'ok'],
    ],
    startError: /start http failed/,
    calls: ['start store', 'start broker', 'start http', 'stop broker', 'stop store'],
    running: [],
  },
];

for (const c of CASES) {
  t.test(`start: ${c.name}`, async (t) => {
    const { life, calls, logs } = rig(c.steps);
    if (c.startError) await t.rejects(life.start(), { message: c.startError });
    else await life.start();
    t.same(calls, c.calls);
    t.same(life.running, c.running);
    t.equal(life.started, c.startError === null);
    if (c.startError) {
      const failed = logs.find((l) => String(l.msg).startsWith('start failed at step'));
      t.ok(failed, 'the failure is logged');
      t.match(failed?.err, { message: c.startError }, 'with its cause');
    }
  });
}

t.test('stop: reverse order, each bounded, failures logged and reported', async (t) => {
  const { life, calls, logs } = rig(
    [
      ['store', 'ok', 'ok'],
      ['broker', 'ok', 'hang'],
      ['drivers', 'ok', 'fail'],
      ['http', 'ok', 'ok'],
    ],
    50,
  );
  await life.start();
  calls.length = 0;
  await t.rejects(life.stop(), { code: 'STOP_FAILED', context: { steps: ['drivers', 'broker'] } });
  t.same(calls, ['stop http', 'stop drivers', 'stop broker', 'stop store'], 'every step, in reverse');
  t.same(life.running, []);
  t.match(
    logs.filter((l) => l.level === 50).map((l) => [l.step, (l.err as { code?: string }).code]),
    [
      ['drivers', 'BOOM'],
      ['broker', 'STOP_TIMEOUT'],
    ],
  );
  calls.length = 0;
  await life.stop();
  t.same(calls, [], 'a second stop has nothing to do');
});

t.test('start in two goes; a stop during a start waits for it', async (t) => {
  const { life, calls } = rig([
    ['secrets', 'ok', 'ok'],
    ['store', 'ok', 'ok'],
    ['http', 'ok', 'ok'],
  ]);
  await life.start('store');
  t.same(life.running, ['secrets', 'store']);
  t.notOk(life.started);
  const started = life.start();
  const stopped = life.stop();
  await started;
  await stopped;
  t.same(calls, ['start secrets', 'start store', 'start http', 'stop http', 'stop store', 'stop secrets']);
  await t.rejects(life.start('nope'), { code: 'BAD_STEP' });
  t.throws(
    () =>
      new Lifecycle(
        [
          { name: 'a', start() {}, stop() {} },
          { name: 'a', start() {}, stop() {} },
        ],
        { log: createLogger({ level: 'silent' }) },
      ),
    { code: 'BAD_STEPS' },
  );
});
