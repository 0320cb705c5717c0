/** The estate layout shared by the sim tests: two gates, a building with two entrances, one without. */
import type { Config } from '../../gateway/config/schema.js';
import { testConfig } from '../../testkit/config.js';

/** Doors and mqtt-v1 readers; gate S and B2 have no exit reader (exit buttons). */
export function simTestConfig(): Config {
  return testConfig({
    doors: [
      { id: 'GATE-N', name: '北大门' },
      { id: 'GATE-S', name: '南大门' },
      { id: 'B1-U1', name: '1号楼1单元', building: 'B1', entrance: 'B1-U1' },
      { id: 'B1-U2', name: '1号楼2单元', building: 'B1', entrance: 'B1-U2' },
      { id: 'B2', name: '2号楼', building: 'B2' },
    ],
    readers: [
      { id: 'T-GATE-N', door: 'GATE-N' },
      { id: 'T-GATE-N-OUT', door: 'GATE-N', direction: 'out' },
      { id: 'T-GATE-S', door: 'GATE-S' },
      { id: 'T-B1-U1', door: 'B1-U1' },
      { id: 'T-B1-U1-OUT', door: 'B1-U1', direction: 'out' },
      { id: 'T-B1-U2', door: 'B1-U2' },
      { id: 'T-B2', door: 'B2' },
    ],
  });
}
