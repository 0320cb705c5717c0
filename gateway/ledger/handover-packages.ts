import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { cloudEvent } from '../../core/cloudevent.js';
import { newId } from '../../core/ids.js';
import { privateKeyFromText } from '../../core/signing.js';
import type { Config } from '../config/schema.js';
import type { SecretsFile } from '../config/secrets-file.js';
import type { Store } from '../store/store.js';
import { CLASS_ALERT, type Outbox } from '../upstream/outbox.js';
import { caseKindLabel, getCase } from './case-queries.js';
import { buildHandoverPackage } from './handover-package.js';

/** What the packages are built from. */
export interface HandoverPackagesDeps {
  store: Store;
  secrets: SecretsFile;
  /** The outbox, when the upstream is on: a package is announced there (reports.handoverUpstream). */
  outbox: Outbox | null;
  source: string;
  config: Config;
  dataDir: string;
  clock: Clock;
  log: Logger;
  /** Something was added to the outbox: deliver soon. */
  kick: () => void;
}

/** A stored package. */
export interface StoredPackage {
  packageId: string;
  sha256: string;
  archive: Buffer;
}

/**
 * The signed hand-over packages (issue 14): one per case handed to 城管, built once — right
 * after the hand-over, or at the first download if that failed — stored in the database and
 * served as built, so the package id and digest announced upstream (estate.handover.package,
 * where configured, in the same transaction as the package is stored) are the ones the
 * enforcement office downloads.
 */
export class HandoverPackages {
  readonly #d: HandoverPackagesDeps;
  readonly #building = new Map<string, Promise<StoredPackage | null>>();

  constructor(deps: HandoverPackagesDeps) {
    this.#d = deps;
  }

  /** The package of a case handed over; null when the case is unknown or not handed over. */
  ensure(caseId: string): Promise<StoredPackage | null> {
    const stored = this.#stored(caseId);
    if (stored) return Promise.resolve(stored);
    let b = this.#building.get(caseId);
    if (!b) {
      b = this.#build(caseId).finally(() => this.#building.delete(caseId));
      this.#building.set(caseId, b);
    }
    return b;
  }

  #stored(caseId: string): StoredPackage | null {
    return (
      (this.#d.store
        .statement('SELECT package_id AS packageId, sha256, archive FROM handover_packages WHERE case_id = ?')
        .get(caseId) as StoredPackage | undefined) ?? null
    );
  }

  async #build(caseId: string): Promise<StoredPackage | null> {
    const d = this.#d;
    const db = d.store.db;
    const c = getCase(db, caseId);
    const row = db.prepare('SELECT handover FROM cases WHERE id = ?').get(caseId) as
      | { handover: string | null }
      | undefined;
    if (!c || !row?.handover) return null;
    const place = c.householdId
      ? (db
          .prepare(
            `SELECT coalesce(b.name, h.building_id) || ' ' || h.room FROM households h
               LEFT JOIN buildings b ON b.id = h.building_id WHERE h.id = ?`,
          )
          .pluck()
          .get(c.householdId) as string | undefined)
      : undefined;
    const now = d.clock.now();
    const key = privateKeyFromText(d.secrets.value.signingKey ?? '');
    const pkg = await buildHandoverPackage({
      packageId: newId('hp', now),
      caseId,
      caseLabel: caseKindLabel(c.kind),
      place: place ?? '—',
      handoverJson: row.handover,
      images: d.config.ledger.handoverImages,
      dataDir: d.dataDir,
      key,
      estate: d.config.estate,
      gatewayId: d.config.gateway.id,
      now,
      fallbackFont: d.config.reports.pdfFont,
    });
    if (pkg.missingImages > 0)
      d.log.warn(
        { caseId, missing: pkg.missingImages },
        'hand-over package: some thumbnails are gone (retention)',
      );
    const announce = d.outbox !== null && d.config.reports.handoverUpstream;
    const stored = db.transaction(() => {
      const ins = d.store
        .statement(
          `INSERT OR IGNORE INTO handover_packages(case_id, package_id, created_at, sha256, bytes, key_id, archive)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          caseId,
          pkg.manifest.packageId,
          now,
          pkg.sha256,
          pkg.zip.length,
          pkg.manifest.key.keyId,
          pkg.zip,
        );
      if (ins.changes > 0 && announce)
        d.outbox?.add(
          cloudEvent(d.source, {
            id: pkg.manifest.packageId,
            type: 'estate.handover.package',
            time: now,
            subject: c.householdId,
            data: {
              packageId: pkg.manifest.packageId,
              caseId,
              sha256: pkg.sha256,
              bytes: pkg.zip.length,
              files: pkg.manifest.files.length,
              keyId: pkg.manifest.key.keyId,
              fingerprint: pkg.manifest.key.fingerprint,
            },
          }),
          CLASS_ALERT,
          'alerts',
          now,
        );
      return this.#stored(caseId);
    })();
    d.log.info({ caseId, packageId: stored?.packageId, bytes: pkg.zip.length }, 'hand-over package signed');
    if (announce) d.kick();
    return stored;
  }
}
