import m001 from './001-core.js';
import m002 from './002-ledger.js';
import m003 from './003-accounts.js';
import m004 from './004-dashboard-ledger.js';
import m005 from './005-fingerprint-templates.js';
import m006 from './006-upstream-exchange.js';
import m007 from './007-ledger-workflow.js';
import m008 from './008-driver-state.js';
import m009 from './009-security-privacy.js';
import m010 from './010-face-offers.js';
import m011 from './011-doors-cameras.js';
import m012 from './012-face-photos.js';
import m013 from './013-journal-ts-index.js';
import m014 from './014-decisions-resident-index.js';
import m015 from './015-decisions-household-slice.js';

/**
 * Versioned schema. Each entry moves the database from version i to i+1 (PRAGMA
 * user_version) inside one transaction. Never edit a shipped migration: add a file and
 * one line here, in order.
 */
export const MIGRATIONS: readonly string[] = [
  m001,
  m002,
  m003,
  m004,
  m005,
  m006,
  m007,
  m008,
  m009,
  m010,
  m011,
  m012,
  m013,
  m014,
  m015,
];
