import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { RosterDocument } from '../core/roster-message.js';
import { generateSigningKey } from '../core/signing.js';

/** A fresh Ed25519 key for the district side of a test, and the config entry that trusts it. */
export function districtKey(label = 'test district'): {
  key: KeyObject;
  config: { key: string; label: string };
  keyId: string;
} {
  const k = generateSigningKey();
  return { key: createPrivateKey(k.privatePem), config: { key: k.publicText, label }, keyId: k.keyId };
}

/**
 * A small estate roster in the import file's JSON form: two households in B01 and B02,
 * faces F-R00001…F-R00004 as in testkit/gateway.ts, an ID number for R00001.
 */
export function districtRoster(): RosterDocument {
  return {
    buildings: [
      { id: 'B01', name: '1号楼' },
      { id: 'B02', name: '2号楼' },
    ],
    households: [
      {
        id: 'H1',
        building: 'B01',
        entrance: 'B01-U1',
        room: '0101',
        housingType: 'gongzu',
        residents: [
          {
            id: 'R00001',
            role: 'leaseholder',
            name: '张伟',
            idNumber: '11010519491231002X',
            credentials: { face: ['F-R00001'], card: ['04A1B2C3'] },
          },
          { id: 'R00002', role: 'co_resident', name: '李娜', credentials: { face: ['F-R00002'] } },
        ],
      },
      {
        id: 'H2',
        building: 'B02',
        entrance: 'B02-U1',
        room: '0201',
        housingType: 'baozu',
        residents: [{ id: 'R00003', role: 'leaseholder', name: '王强', credentials: { face: ['F-R00003'] } }],
      },
    ],
  };
}
