import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { cloudEvent } from '../../core/cloudevent.js';
import type { Config } from '../config/schema.js';
import type { Store } from '../store/store.js';
import { CLASS_ALERT, type Outbox } from '../upstream/outbox.js';
import type { CampaignReport } from './campaign-report-schema.js';
import { VisitRecorder } from './campaign-visits.js';
import { type Campaign, CampaignBook } from './campaigns.js';
import type { CaseBook } from './case-book.js';
import { EnforcementBook } from './enforcement.js';
import { EvidenceFiles } from './evidence-files.js';
import { TipBook } from './tip-rewards.js';

/** What the rest of the notice's workflow is built from (the composition root passes each). */
export interface WorkflowDeps {
  store: Store;
  outbox: Outbox;
  cases: CaseBook;
  /** The CloudEvents source of this gateway. */
  source: string;
  dataDir: string;
  config: Config;
  /** The ID-number hash key (the secrets file is read when the gateway starts). */
  idHashKey: () => string;
  log: Logger;
  registry: Registry;
}

/**
 * The rest of the notice's workflow (issue 16) as one part: uploaded evidence, the full
 * inspection with its visits, the enforcement office's feedback, tips with rewards, and
 * their retention. Built without I/O; each piece touches the store only once running.
 */
export class LedgerWorkflow {
  readonly evidence: EvidenceFiles;
  readonly campaigns: CampaignBook;
  readonly visits: VisitRecorder;
  readonly enforcement: EnforcementBook;
  readonly tips: TipBook;
  readonly #d: WorkflowDeps;

  constructor(d: WorkflowDeps) {
    this.#d = d;
    const log = d.log;
    this.evidence = new EvidenceFiles(
      d.store,
      d.dataDir,
      d.config.ledger.photos,
      log.child({ part: 'evidence' }),
      d.registry,
    );
    this.campaigns = new CampaignBook(d.store, log.child({ part: 'campaigns' }));
    this.visits = new VisitRecorder({
      store: d.store,
      campaigns: this.campaigns,
      cases: d.cases,
      evidence: this.evidence,
      idHashKey: d.idHashKey,
      revisitDays: d.config.ledger.revisitDays,
      log: log.child({ part: 'campaigns' }),
    });
    this.enforcement = new EnforcementBook(
      d.store,
      d.cases,
      this.evidence,
      log.child({ part: 'enforcement' }),
    );
    this.tips = new TipBook(d.store, log.child({ part: 'tips' }));
  }

  /**
   * Sends a campaign's written report upstream as `estate.report.campaign`, through the
   * outbox like every event (at-least-once; each sending is its own event, numbered).
   */
  sendReport(c: Campaign, report: CampaignReport, now: number): { eventId: string; number: number } {
    const db = this.#d.store.db;
    let out = { eventId: '', number: 0 };
    db.transaction(() => {
      const number = this.campaigns.reported(c.id, now);
      const eventId = `cr-${c.id}-${number}`;
      this.#d.outbox.add(
        cloudEvent(this.#d.source, { id: eventId, type: 'estate.report.campaign', time: now, data: report }),
        CLASS_ALERT,
        'alerts',
        now,
      );
      out = { eventId, number };
    })();
    this.#d.log.info({ campaign: c.id, event: out.eventId }, 'campaign report queued upstream');
    return out;
  }

  /** Removes what is past retention: evidence files, tipsters' contacts. */
  async retention(now: number): Promise<{ files: number; contacts: number }> {
    const r = this.#d.config.retention;
    const files = await this.evidence.sweep(r.evidenceDays, now);
    const contacts = this.tips.forgetContacts(r.tipContactDays, now);
    return { files, contacts };
  }
}
