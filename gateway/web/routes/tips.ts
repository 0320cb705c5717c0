import type { FastifyRequest } from 'fastify';
import { label } from '../../../core/codes.js';
import { maskName, maskPhone } from '../../../core/id-number.js';
import { newId } from '../../../core/ids.js';
import { iso } from '../../../core/time.js';
import { monthRange } from '../../ledger/report.js';
import type { TipRow } from '../../ledger/tip-rewards.js';
import { rejectInput } from '../bad-input.js';
import type { RouteModule } from '../context.js';
import * as L from '../ledger-schemas.js';
import { maskText } from '../mask-text.js';
import * as S from '../schemas.js';
import * as W from '../schemas-workflow.js';
import { answerRefusal } from '../workflow-errors.js';
import { TIP_HIDDEN } from './cases.js';

/** The tipster's own name, masked with the numbers in the tip's words for non-admins. */
const tipster = (t: TipRow): string[] => (t.contactName ? [t.contactName] : []);

/**
 * Tips and complaints (举报投诉, issue 4) and their rewards (issue 16): recording a tip opens
 * a case; the tips list shows each with its case's state, whether it proved true, and its
 * reward. The tipster's contact is the admin's to read (viewing it is audited); others see
 * it masked, viewers see no tip's words. An operator proposes a reward, a second admin
 * decides it. Operators read a tip's words with the phone and ID numbers in them masked.
 */
export const tipRoutes: RouteModule = (app, w) => {
  const { d, auth } = w;
  const tips = d.workflow.tips;
  const buildingOf = d.db.prepare('SELECT building_id FROM households WHERE id = ?').pluck();
  const insTip = d.db.prepare(
    `INSERT INTO tips(id, received_at, channel, household_id, building_id, kind, content, case_id, created_by, created_at,
                      contact_name, contact_phone)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const actor = (req: FastifyRequest) => ({ name: req.principal?.name ?? 'unknown' });
  const view = (req: FastifyRequest, t: TipRow & { substantiated: boolean }) => {
    const admin = req.principal?.role === 'admin';
    const r = t.reward;
    return {
      id: t.id,
      receivedAt: new Date(t.receivedAt).toISOString(),
      channel: t.channel,
      householdId: t.householdId,
      buildingId: t.buildingId,
      kind: t.kind,
      // Operators read the words, not the phone or ID numbers a tipster wrote into them.
      content: w.masked(req) ? TIP_HIDDEN : admin ? t.content : maskText(t.content, tipster(t)),
      caseId: t.caseId,
      caseState: t.caseState,
      substantiated: t.substantiated,
      contact: {
        name: t.contactName && !admin ? maskName(t.contactName) : t.contactName,
        phone: t.contactPhone && !admin ? maskPhone(t.contactPhone) : t.contactPhone,
        masked: !admin,
        removed: t.contactRemovedAt !== null,
      },
      reward: r
        ? {
            kind: r.kind,
            kindLabel: label('rewardKind', r.kind),
            amountYuan: r.amountFen === null ? null : r.amountFen / 100,
            note: r.note,
            state: r.state,
            stateLabel: label('rewardState', r.state),
            proposedBy: r.proposedBy,
            proposedAt: new Date(r.proposedAt).toISOString(),
            decidedBy: r.decidedBy,
            decidedAt: iso(r.decidedAt),
            decisionNote: r.decisionNote,
          }
        : null,
    };
  };
  /** An admin reading tipsters' contacts leaves an audit row (PIPL: who saw whose data). */
  const contactsRead = (req: FastifyRequest, items: Array<TipRow>) => {
    const shown = items.filter((t) => t.contactName || t.contactPhone);
    if (req.principal?.role === 'admin' && shown.length)
      w.audit(req, {
        action: 'tip.view',
        target: shown.length === 1 ? (shown[0]?.id ?? null) : null,
        detail: { tips: shown.length },
      });
  };

  app.post(
    '/api/tips',
    {
      preValidation: auth.require('operator'),
      schema: { body: L.TipBody, response: { 201: L.Created, 400: S.ErrorReply } },
    },
    async (req, reply) => {
      const b = req.body;
      const now = d.clock.now();
      const who = actor(req).name;
      const building = b.householdId
        ? ((buildingOf.get(b.householdId) as string | undefined) ?? null)
        : undefined;
      if (building === null) return rejectInput(d.metrics, req, reply, 400, `no household ${b.householdId}`);
      if (!b.householdId && !b.buildingId)
        return rejectInput(
          d.metrics,
          req,
          reply,
          400,
          'a tip needs the householdId or buildingId it is about',
        );
      const receivedAt = b.receivedAt ? Date.parse(b.receivedAt) : now;
      const id = newId('tp', now);
      let caseId = '';
      d.db.transaction(() => {
        caseId = d.cases.open(
          {
            kind: b.kind ?? 'suspected_sublet',
            source: 'tip',
            householdId: b.householdId ?? null,
            buildingId: building ?? b.buildingId ?? null,
            summary: `举报投诉 (${b.channel})`,
            evidence: {
              tip: id,
              channel: b.channel,
              receivedAt: new Date(receivedAt).toISOString(),
              content: b.content,
            },
            ts: receivedAt,
          },
          { name: who },
          now,
        ).id;
        insTip.run(
          id,
          receivedAt,
          b.channel,
          b.householdId ?? null,
          building ?? b.buildingId ?? null,
          b.kind ?? 'suspected_sublet',
          b.content,
          caseId,
          who,
          now,
          b.tipster?.name?.trim() || null,
          b.tipster?.phone?.replace(/[\s()-]/g, '') || null,
        );
      })();
      req.log.info({ tip: id, case: caseId }, 'tip recorded');
      w.audit(req, {
        action: 'tip.create',
        householdId: b.householdId ?? null,
        caseId,
        target: id,
        detail: {
          channel: b.channel,
          kind: b.kind ?? 'suspected_sublet',
          ...(b.tipster ? { tipster: true } : {}),
        },
      });
      return reply.status(201).send({ id, caseId });
    },
  );

  app.get(
    '/api/tips',
    { schema: { querystring: W.TipsQuery, response: { 200: W.TipsReply } } },
    async (req) => {
      const q = req.query;
      const [from, to] = q.month ? monthRange(q.month) : [undefined, undefined];
      const items = tips.list(
        { from, to, reward: q.reward, householdId: q.household, before: q.before },
        q.limit,
      );
      contactsRead(req, items);
      return {
        items: items.map((t) => view(req, t)),
        next: items.length === q.limit ? (items.at(-1)?.id ?? null) : null,
      };
    },
  );

  app.get(
    '/api/tips/:id',
    { schema: { params: S.IdParams, response: { 200: W.Tip, 404: S.ErrorReply } } },
    async (req, reply) => {
      const t = tips.get(req.params.id);
      if (!t) return rejectInput(d.metrics, req, reply, 404, `no tip ${req.params.id}`);
      contactsRead(req, [t]);
      return view(req, t);
    },
  );

  app.post(
    '/api/tips/:id/reward',
    {
      preValidation: auth.require('operator'),
      schema: {
        params: S.IdParams,
        body: W.RewardBody,
        response: { 200: W.Tip, 400: S.ErrorReply, 404: S.ErrorReply, 409: S.ErrorReply },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const audit = { action: 'tip.reward', target: req.params.id };
      try {
        const amountFen = b.amountYuan === undefined ? null : Math.round(b.amountYuan * 100);
        const t = tips.propose(
          req.params.id,
          { kind: b.kind, amountFen, note: b.note },
          actor(req),
          d.clock.now(),
        );
        w.audit(req, {
          ...audit,
          caseId: t.caseId,
          householdId: t.householdId,
          detail: { kind: b.kind, amountFen },
        });
        contactsRead(req, [t]);
        return view(req, t);
      } catch (err) {
        return answerRefusal(w, req, reply, err, audit);
      }
    },
  );

  app.post(
    '/api/tips/:id/reward/decision',
    {
      preValidation: auth.require('admin'),
      schema: {
        params: S.IdParams,
        body: W.DecisionBody,
        response: { 200: W.Tip, 400: S.ErrorReply, 404: S.ErrorReply, 409: S.ErrorReply },
      },
    },
    async (req, reply) => {
      const audit = { action: 'tip.reward.decision', target: req.params.id };
      try {
        const t = tips.decide(req.params.id, req.body.decision, req.body.note, actor(req), d.clock.now());
        w.audit(req, {
          ...audit,
          caseId: t.caseId,
          householdId: t.householdId,
          detail: { decision: req.body.decision },
        });
        contactsRead(req, [t]);
        return view(req, t);
      } catch (err) {
        return answerRefusal(w, req, reply, err, audit);
      }
    },
  );
};
