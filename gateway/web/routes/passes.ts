import type { PassKind } from '../../../core/codes.js';
import { hasCode } from '../../../core/errors.js';
import { maskName } from '../../../core/id-number.js';
import type { Pass } from '../../passes/model.js';
import { normalisePhoto } from '../../roster/face-photos.js';
import { rejectInput } from '../bad-input.js';
import type { RouteModule } from '../context.js';
import * as L from '../ledger-schemas.js';
import * as S from '../schemas.js';

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/**
 * A pass as the API shows it: masked, no hash, no embedding. Viewers (`masked`) see the
 * holder's name masked and no QR token (the token opens the gate).
 */
export function passView(p: Pass, masked = false) {
  return {
    id: p.id,
    kind: p.kind,
    householdId: p.householdId,
    name: masked ? maskName(p.name) : p.name,
    phoneMasked: p.phoneMasked,
    idMasked: p.idMasked,
    cardUid: p.cardUid ? `****${p.cardUid.slice(-4)}` : null,
    hasFace: p.embedding !== null || p.facePersonId !== null,
    token: masked ? null : p.token,
    validFrom: new Date(p.validFrom).toISOString(),
    validTo: new Date(p.validTo).toISOString(),
    revokedAt: iso(p.revokedAt),
    createdBy: p.createdBy,
    note: p.note,
  };
}

/** Visitor passes and courier/staff registrations: created and revoked by operators (issue 4). */
export const passRoutes: RouteModule = (app, w) => {
  const { d, auth } = w;
  app.post(
    '/api/passes',
    {
      // A photo makes the body large: the role is checked before the body is read (issue 11).
      onRequest: auth.require('operator'),
      bodyLimit: 6 * 1024 * 1024,
      schema: { body: L.PassBody, response: { 201: L.Pass, 400: S.ErrorReply } },
    },
    async (req, reply) => {
      const b = req.body;
      try {
        const { validFrom, validTo, photo: photoB64, ...rest } = b;
        let photo: Exclude<Awaited<ReturnType<typeof normalisePhoto>>, string> | undefined;
        if (photoB64 !== undefined) {
          const raw = /^[A-Za-z0-9+/]*={0,2}$/.test(photoB64) ? Buffer.from(photoB64, 'base64') : null;
          const checked = raw ? await normalisePhoto(raw) : 'is not base64';
          if (typeof checked === 'string') return rejectInput(d.metrics, req, reply, 400, `photo ${checked}`);
          photo = checked;
        }
        const p = d.passes.create(
          {
            ...rest,
            ...(photo ? { photo } : {}),
            kind: rest.kind as PassKind,
            validFrom: Date.parse(validFrom),
            validTo: Date.parse(validTo),
          },
          req.principal?.name ?? 'unknown',
          d.clock.now(),
        );
        req.log.info({ pass: p.id, kind: p.kind, household: p.householdId }, 'pass created');
        w.audit(req, {
          action: 'pass.create',
          householdId: p.householdId,
          target: p.id,
          detail: { kind: p.kind, validTo: validTo, photo: photo !== undefined },
        });
        return reply.status(201).send(passView(p));
      } catch (err) {
        if (hasCode(err, 'BAD_INPUT')) return rejectInput(d.metrics, req, reply, 400, (err as Error).message);
        throw err;
      }
    },
  );

  app.post(
    '/api/passes/:id/revoke',
    {
      preValidation: auth.require('operator'),
      schema: { params: S.IdParams, response: { 200: L.Pass, 404: S.ErrorReply, 409: S.ErrorReply } },
    },
    async (req, reply) => {
      try {
        const p = d.passes.revoke(req.params.id, req.principal?.name ?? 'unknown', d.clock.now());
        if (!p) return rejectInput(d.metrics, req, reply, 404, `no pass ${req.params.id}`);
        req.log.info({ pass: p.id }, 'pass revoked');
        w.audit(req, {
          action: 'pass.revoke',
          householdId: p.householdId,
          target: p.id,
          detail: { kind: p.kind },
        });
        return passView(p);
      } catch (err) {
        if (hasCode(err, 'CONFLICT')) return rejectInput(d.metrics, req, reply, 409, (err as Error).message);
        throw err;
      }
    },
  );

  app.get(
    '/api/passes',
    { schema: { querystring: L.PassesQuery, response: { 200: L.PassesReply } } },
    async (req) => {
      const q = req.query;
      const at = q.valid === 'all' ? undefined : d.clock.now();
      const masked = w.masked(req);
      return {
        items: d.passes.list({ householdId: q.household, at }, q.limit).map((p) => passView(p, masked)),
      };
    },
  );

  app.get(
    '/api/passes/:id',
    { schema: { params: S.IdParams, response: { 200: L.Pass, 404: S.ErrorReply } } },
    async (req, reply) => {
      const p = d.passes.get(req.params.id);
      if (!p) return rejectInput(d.metrics, req, reply, 404, `no pass ${req.params.id}`);
      return passView(p, w.masked(req));
    },
  );
};
