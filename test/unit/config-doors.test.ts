import t from 'tap';
import { stringify } from 'yaml';
import { DRIVERS } from '../../drivers/registry.js';
import { parseConfig } from '../../gateway/config/load.js';
import { doorHardware } from '../../gateway/config/schema-doors.js';
import { testConfigObject } from '../../testkit/config.js';

// Issue 13: check-config on the door hardware — every problem named with its path.

function problems(over: Record<string, unknown>): Array<{ path: string; message: string }> {
  try {
    parseConfig(stringify(testConfigObject(over)), DRIVERS);
    return [];
  } catch (err) {
    return (err as { context: { problems: Array<{ path: string; message: string }> } }).context.problems;
  }
}

const CAMERA = {
  id: 'CAM-1',
  door: 'GATE',
  driver: 'onvif',
  options: { url: 'http://192.168.1.64/onvif/device_service' },
};
const READERS = [{ id: 'T-GATE', door: 'GATE' }, { id: 'T-B01', door: 'B01-U1' }, CAMERA];

t.test('a valid door-hardware config loads, with defaults', async (t) => {
  const cfg = parseConfig(
    stringify(
      testConfigObject({
        doors: [
          { id: 'GATE', name: '大门', schedule: 'day', camera: 'CAM-1', contact: true },
          { id: 'B01-U1', name: '1号楼1单元', building: 'B01' },
        ],
        readers: READERS,
        schedules: [{ id: 'day', windows: [{ days: ['workday'], from: '07:00', to: '20:00' }] }],
        calendar: {
          holidays: ['2026-10-01', { from: '2026-10-02', to: '2026-10-07', name: '国庆节' }],
          workdays: ['2026-10-10'],
        },
        cameras: { embedding: { url: 'http://127.0.0.1:9000/embed' } },
      }),
    ),
    DRIVERS,
  );
  t.match(doorHardware(cfg.doors[0] ?? {}), {
    contact: true,
    heldOpenSeconds: 60,
    forcedWindowSeconds: 10,
    onFire: 'unlock',
    schedule: 'day',
    camera: 'CAM-1',
  });
  t.match(doorHardware(cfg.doors[1] ?? {}), { contact: false, schedule: null, camera: null });
  t.equal(cfg.schedules[0]?.windows[0]?.mode, 'passage', 'a window is passage unless it says');
  t.equal(cfg.doorControl.remoteUnlock.perActorPerMinute, 6);
});

t.test('every problem is named with its path', async (t) => {
  const found = problems({
    doors: [
      { id: 'GATE', name: '大门', schedule: 'nope', camera: 'T-GATE', onFire: 'maybe' },
      { id: 'B01-U1', name: '1号楼1单元', camera: 'CAM-1', heldOpenSeconds: 0 },
    ],
    readers: [...READERS, { id: 'CAM-2', door: 'GATE', driver: 'onvif', options: { url: 'rtsp://x' } }],
    schedules: [
      { id: 's', windows: [{ days: ['someday'], from: '7:00', to: '20:00' }] },
      { id: 's', windows: [{ days: ['mon'], from: '07:00', to: '20:00' }] },
    ],
    calendar: { holidays: [{ from: '2026-10-07', to: '2026-10-01' }] },
    cameras: { embedding: { url: 'https://faces.example.com/embed' } },
  });
  const by = (path: string) => found.filter((p) => p.path === path).map((p) => p.message);
  t.match(by('doors[0].schedule'), [/no schedule with id "nope"/]);
  t.match(by('doors[0].camera'), [/not a camera/]);
  t.ok(by('doors[0].onFire').length === 1, 'onFire has two values');
  t.match(by('doors[1].camera'), [/configured at door "GATE"/]);
  t.ok(by('doors[1].heldOpenSeconds').length === 1);
  t.ok(
    by('readers[3].options.url').some((m) => /http/.test(m)),
    'a camera URL must be http(s)',
  );
  t.ok(by('schedules[0].windows[0].days[0]').length + by('schedules[0].windows[0].from').length >= 2);
  t.match(by('schedules[1].id'), [/duplicate schedule id/]);
  t.match(by('calendar.holidays[0].to'), [/ends before it begins/]);
  t.match(by('cameras.embedding.url'), [/faces stay on the box/]);
});

t.test('an embedding service off the box only when the config says so', async (t) => {
  const over = (allowOffBox: boolean) => ({
    cameras: { embedding: { url: 'https://faces.example.com/e', allowOffBox } },
  });
  t.ok(problems(over(false)).length === 1);
  t.same(problems(over(true)), []);
});
