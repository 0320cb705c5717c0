import { readFileSync } from 'node:fs';

/**
 * `node dist/bench/profile-report.js FILE.cpuprofile [top]` (issue 15): where a read's time
 * goes, from a V8 CPU profile of the daemon at saturation. Self time is summed per stage of
 * the hot path (the categories of issue 15); a frame that matches no rule (a native call, a
 * Node internal, JSON.parse) is charged to the nearest caller that does, so better-sqlite3's
 * native insert counts as the journal insert and a socket write as the door command or the
 * PUBACK that made it. Prints the categories and the top self-time functions.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Ordered rules: the first whose pattern matches `function url` names the category. */
const RULES: ReadonlyArray<readonly [string, RegExp]> = [
  ['idle', /^\(idle\) /],
  ['GC', /^\(garbage collector\) /],
  ['PUBACK', /#flushAcks |encodePuback /],
  // Since issue 15 a turn's commands and PUBACKs leave in one corked write per session.
  ['socket write (door commands + PUBACKs)', /#uncork |writeBuffer|^writev |writeGeneric|onWriteComplete/],
  // Since issue 15 the hot packets are framed and decoded by gateway/mqtt/hot-codec.ts.
  [
    'MQTT decode',
    /mqtt-packet\/(lib\/)?parser|node_modules\/bl\/|#onPublish |subscriptions|core\/bus\.js|(push|decodePublish|decodePuback) .*hot-codec/,
  ],
  [
    'door command encode+publish',
    /act\.js|mqtt-v1\/driver\.js.* command|mqtt-packet\/(lib\/)?(generate|writeToStream)|#transmit |#send |publish .*session|encodePublish /,
  ],
  ['JSON parse + validation', /mqtt-v1\/parse\.js|pipeline\/normalize\.js|card-uid|id-number/],
  ['dedupe', /pending\.js|#(check|had) .*pipeline\.js| has .*journal\.js/],
  ['roster lookup', /resolve\.js|roster-index|pass-index/],
  ['decide', /decide\.js|person-card|correlate\.js|check\.js/],
  ['journal insert', /append(Entry|Decision)? .*journal\.js/],
  ['outbox insert', /outbox|cloudevent|core\/ids\.js/],
  ['detectors + alerts', /detectors\/|alerts\//],
  ['commit (transaction, fsync)', /better-sqlite3\/lib\/methods\/transaction|record\.js|batcher\.js/],
  ['metrics', /metrics\.js|prom-client/],
  ['logging', /pino|sonic-boom/],
  ['pipeline (submit, queues)', /pipeline\.js|devices\.js/],
  ['socket read', /onStreamRead|afterWriteDispatched|node:net/],
  ['node internals', /^[^ ]* (node:|$)/],
];

function categorize(fn: string, url: string): string | null {
  const key = `${fn || '(anonymous)'} ${url}`;
  for (const [name, re] of RULES) if (re.test(key)) return name;
  return null;
}

const file = process.argv[2];
if (!file) {
  console.error('usage: node dist/bench/profile-report.js FILE.cpuprofile [top]');
  process.exit(2);
}
const top = Number(process.argv[3] ?? 25);
const prof = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const memo = new Map<number, string>();
function categoryOf(id: number): string {
  const hit = memo.get(id);
  if (hit) return hit;
  const n = byId.get(id) as ProfileNode;
  const own = categorize(n.callFrame.functionName, n.callFrame.url.replace(/^file:\/\/.*?\/dist\//, ''));
  let cat: string;
  if (own && own !== 'node internals') cat = own;
  else {
    const p = parent.get(id);
    const up = p === undefined ? 'other' : categoryOf(p);
    cat = up === 'other' || up === '(root)' ? (own ?? 'other') : up;
  }
  if (n.callFrame.functionName === '(root)') cat = '(root)';
  memo.set(id, cat);
  return cat;
}

// Self time per node from the samples (µs deltas), so the figures hold for any sampling rate.
// Only the saturation window counts: from the first journal insert to the last, so the
// daemon's start (roster load) and shutdown do not dilute the hot path.
const inWindow = prof.samples.map((id) => categoryOf(id) === 'journal insert');
const first = inWindow.indexOf(true);
const last = inWindow.lastIndexOf(true);
const selfUs = new Map<number, number>();
for (let i = Math.max(0, first); i <= (last < 0 ? prof.samples.length - 1 : last); i++) {
  const id = prof.samples[i] as number;
  selfUs.set(id, (selfUs.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
}

const cats = new Map<string, number>();
const funcs = new Map<string, number>();
let total = 0;
let idle = 0;
for (const [id, us] of selfUs) {
  const n = byId.get(id) as ProfileNode;
  const cat = categoryOf(id);
  if (cat === 'idle') idle += us;
  else total += us;
  cats.set(cat, (cats.get(cat) ?? 0) + us);
  const f = n.callFrame;
  const where = f.url ? `${f.url.replace(/^.*\/(node_modules|dist)\//, '')}:${f.lineNumber + 1}` : '';
  const key = `${f.functionName || '(anonymous)'} ${where}`;
  funcs.set(key, (funcs.get(key) ?? 0) + us);
}
const pct = (us: number) => `${((100 * us) / total).toFixed(1)} %`.padStart(7);
console.log(`busy ${(total / 1e6).toFixed(2)} s, idle ${(idle / 1e6).toFixed(2)} s (${file})`);
console.log('\nby stage (self time, % of busy):');
for (const [c, us] of [...cats].sort((a, b) => b[1] - a[1]))
  if (c !== 'idle') console.log(`${pct(us)}  ${c}`);
console.log(`\ntop ${top} functions by self time:`);
for (const [k, us] of [...funcs].sort((a, b) => b[1] - a[1]).slice(0, top + 1))
  if (!k.startsWith('(idle)')) console.log(`${pct(us)}  ${k}`);
