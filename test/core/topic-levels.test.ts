import t from 'tap';
import { levelsMatch, topicMatches } from '../../core/bus.js';

// levelsMatch walks a topic in place instead of splitting it (issue 15); it must answer
// as the split-and-compare matcher it replaced, kept here as the reference.
function reference(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const tl = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    const seg = f[i];
    if (seg === '#') return i < tl.length || (i === tl.length && i > 0);
    if (i >= tl.length) return false;
    if (seg !== '+' && seg !== tl[i]) return false;
  }
  return f.length === tl.length;
}

const levels = ['', 'a', 'b', 'ab', '+', '#'];
function* strings(max: number, alphabet: string[]): Generator<string> {
  // Every '/'-joined sequence of 1..max levels from the alphabet.
  const go = function* (prefix: string[]): Generator<string> {
    if (prefix.length > 0) yield prefix.join('/');
    if (prefix.length === max) return;
    for (const l of alphabet) yield* go([...prefix, l]);
  };
  yield* go([]);
}

t.test('the same answers as the split matcher, over every small filter and topic', async (t) => {
  const filters = [...strings(3, levels)];
  const topics = [...strings(4, ['', 'a', 'b', 'ab', 'abc'])];
  let checked = 0;
  let differ = 0;
  for (const f of filters)
    for (const topic of topics) {
      checked++;
      if (levelsMatch(f.split('/'), topic) !== reference(f, topic)) {
        differ++;
        if (differ < 5) t.fail(`${f} vs ${topic}`);
      }
    }
  t.equal(differ, 0, `${checked} pairs`);
});

t.test('reader protocol topics', async (t) => {
  t.ok(topicMatches('acs/v1/readers/+/events', 'acs/v1/readers/L1/events'));
  t.notOk(topicMatches('acs/v1/readers/+/events', 'acs/v1/readers/L1/status'));
  t.notOk(topicMatches('acs/v1/readers/+/events', 'acs/v1/readers/a/b/events'));
  t.ok(topicMatches('acs/#', 'acs'));
  t.ok(topicMatches('#', 'x/y'));
  t.notOk(topicMatches('acs/v1/readers/+/events', 'acs/v1/readers/L1/events/x'));
});
