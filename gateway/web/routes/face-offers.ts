import { label } from '../../../core/codes.js';
import { maskName } from '../../../core/id-number.js';
import { maskCred } from '../../detectors/evidence.js';
import type { FaceOffer } from '../../detectors/face-offers.js';
import { rejectInput } from '../bad-input.js';
import type { RouteModule } from '../context.js';
import * as S from '../schemas.js';
import * as F from '../schemas-faces.js';

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/**
 * An offer as the household file shows it: the resident's name masked (the offer reads
 * "probably 张** — enrol this face?" for every role), the credential masked, thumbnails by
 * reference. Never the embedding.
 */
export function faceOfferView(o: FaceOffer, nameOf: (residentId: string) => string | undefined) {
  return {
    faceId: o.faceId,
    residentId: o.residentId,
    name: maskName(nameOf(o.residentId) ?? ''),
    credential: maskCred(o.credential),
    days: o.days,
    first: new Date(o.first).toISOString(),
    last: new Date(o.last).toISOString(),
    thumbs: o.thumbs,
    state: o.state,
    stateLabel: label('faceOfferState', o.state),
    decidedBy: o.decidedBy,
    decidedAt: iso(o.decidedAt),
  };
}

/**
 * The operator's answer to "probably 张** — enrol this face?" (issue 10 item 2): enrol the
 * face the detectors learnt as the resident's card holder, or say it is not theirs.
 * Operators only, once per offer, audited as face.enrol / face.reject. The face stays on
 * the box: nothing of it is sent anywhere.
 */
export const faceOfferRoutes: RouteModule = (app, w) => {
  const { d, auth } = w;
  const nameOf = d.db.prepare('SELECT name FROM residents WHERE id = ?').pluck();
  app.post(
    '/api/households/:id/face-offers/:faceId',
    {
      preValidation: auth.require('operator'),
      schema: {
        params: F.FaceOfferParams,
        body: F.FaceDecisionBody,
        response: { 200: F.FaceOffer, 404: S.ErrorReply, 409: S.ErrorReply },
      },
    },
    async (req, reply) => {
      const { id, faceId } = req.params;
      const enrol = req.body.decision === 'enrol';
      const actor = req.principal?.name ?? 'unknown';
      const r = d.faces.decide(id, faceId, enrol, actor, d.clock.now());
      if ('status' in r) return rejectInput(d.metrics, req, reply, r.status, r.message);
      w.audit(req, {
        action: enrol ? 'face.enrol' : 'face.reject',
        householdId: id,
        target: r.offer.residentId,
        detail: { faceId, credential: maskCred(r.offer.credential), days: r.offer.days },
      });
      req.log.info({ household: id, faceId, decision: req.body.decision }, 'face offer decided');
      return faceOfferView(r.offer, (rid) => nameOf.get(rid) as string | undefined);
    },
  );
};
