import { label } from '../../core/codes.js';
import { iso } from '../../core/time.js';
import type { EvidenceFile } from '../ledger/evidence-files.js';
import type { LedgerWorkflow } from '../ledger/workflow.js';

/**
 * How the rest of the notice's workflow (issue 16) shows in replies: uploaded files as links,
 * a case's hand-over and feedback. Shared by the routes of cases, patrols, households,
 * campaigns and uploads.
 */

/** The content type of a stored file. */
export const MIME = { jpg: 'image/jpeg', png: 'image/png', pdf: 'application/pdf' } as const;

/** A file as a patrol, visit or case lists it: where to see it and its thumbnail. */
export function evidenceLink(f: Pick<EvidenceFile, 'id' | 'kind' | 'ext'>) {
  return {
    id: f.id,
    kind: f.kind,
    url: `/api/evidence/${f.id}`,
    thumbUrl: f.ext === 'pdf' ? null : `/api/evidence/${f.id}/thumb`,
  };
}

/** A file as the upload answers it. */
export function evidenceView(f: EvidenceFile) {
  return {
    ...evidenceLink(f),
    mime: MIME[f.ext],
    width: f.width,
    height: f.height,
    bytes: f.bytes,
    sha256: f.sha256,
    createdBy: f.createdBy,
    createdAt: new Date(f.createdAt).toISOString(),
  };
}

/** A case's hand-over and feedback as the case page shows it, or null before the hand-over. */
export function enforcementView(wf: LedgerWorkflow, caseId: string) {
  const e = wf.enforcement.get(caseId);
  if (!e) return null;
  const doc = e.document ? wf.evidence.get(e.document) : undefined;
  return {
    district: e.district,
    districtLabel: e.district ? label('district', e.district) : null,
    crossDistrict: e.district !== null,
    office: e.office,
    handedAt: iso(e.handedAt),
    receivedDate: e.receivedDate,
    officeRef: e.officeRef,
    result: e.result,
    resultLabel: e.result ? label('enforcementResult', e.result) : null,
    note: e.note,
    document: doc ? evidenceLink(doc) : null,
    recordedBy: e.recordedBy,
    recordedAt: iso(e.recordedAt),
  };
}
