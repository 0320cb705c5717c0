import { readFileSync } from 'node:fs';

/**
 * `node dist/bench/alloc-report.js FILE.heapprofile [top]` (issue 15): the functions that
 * allocated most, by self size, from a sampling heap profile written by
 * bench/alloc-sampler.mjs (collected objects included), then the heaviest call paths
 * four frames deep — where a read's garbage comes from.
 */

interface AllocNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: AllocNode[];
}

const file = process.argv[2];
if (!file) {
  console.error('usage: node dist/bench/alloc-report.js FILE.heapprofile [top]');
  process.exit(2);
}
const top = Number(process.argv[3] ?? 30);
const head = (JSON.parse(readFileSync(file, 'utf8')) as { head: AllocNode }).head;
const bySelf = new Map<string, number>();
const byPath = new Map<string, number>();
let total = 0;
const name = (n: AllocNode) => {
  const f = n.callFrame;
  return `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(node_modules|dist)\//, '')}:${f.lineNumber + 1}`;
};
// Iterative walk: call trees of a busy daemon are deep.
const stack: Array<[AllocNode, string[]]> = [[head, []]];
while (stack.length > 0) {
  const [n, callers] = stack.pop() as [AllocNode, string[]];
  const here = name(n);
  total += n.selfSize;
  bySelf.set(here, (bySelf.get(here) ?? 0) + n.selfSize);
  const p = [here, ...callers].slice(0, 4);
  byPath.set(p.join(' < '), (byPath.get(p.join(' < ')) ?? 0) + n.selfSize);
  for (const c of n.children) stack.push([c, p]);
}
const pct = (b: number) => `${((100 * b) / total).toFixed(1)} %`.padStart(7);
console.log(
  `sampled ${(total / 1e6).toFixed(1)} MB allocated (${file})\n\ntop ${top} functions by bytes allocated:`,
);
for (const [k, b] of [...bySelf].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(b)}  ${k}`);
console.log(`\ntop ${top} call paths (4 frames):`);
for (const [k, b] of [...byPath].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(b)}  ${k}`);
