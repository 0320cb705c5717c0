import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import multipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../../../core/errors.js';
import { rejectInput } from '../bad-input.js';
import type { RouteModule } from '../context.js';
import * as S from '../schemas.js';
import * as W from '../schemas-workflow.js';
import { evidenceView, MIME } from '../workflow-views.js';

/**
 * Photos and documents (issue 16): the upload (operators; multipart, one file, size-capped
 * while it is read, only after the caller is authenticated and holds an upload slot), and
 * viewing (every role; the full file audited, the thumbnail not — a page of thumbnails
 * would flood the audit log the door reads share a disk with).
 */
export const evidenceRoutes: RouteModule = (app, w) => {
  const { d, auth } = w;
  const files = d.workflow.evidence;
  const maxBytes = Math.round(d.config.ledger.photos.maxUploadMB * 1024 * 1024);

  // The multipart parser lives in this context only: every other route still refuses a
  // multipart body (415) instead of leaving it unread.
  app.register(async (child) => {
    await child.register(multipart, {
      limits: { fileSize: maxBytes, files: 1, fields: 0, parts: 2, headerPairs: 20 },
      throwFileSizeLimit: true,
    });
    child.withTypeProvider<TypeBoxTypeProvider>().post(
      '/api/evidence',
      {
        preValidation: auth.require('operator'),
        schema: {
          description: W.UploadNote,
          response: {
            201: W.EvidenceFile,
            400: S.ErrorReply,
            413: S.ErrorReply,
            429: S.ErrorReply,
          },
        },
      },
      async (req, reply) => {
        const actor = req.principal?.name ?? 'unknown';
        const refused = (status: 400 | 413 | 429, message: string, code: string) => {
          w.audit(req, { action: 'evidence.upload', outcome: 'refused', detail: { code, status } });
          return rejectInput(d.metrics, req, reply, status, message);
        };
        const release = files.reserve();
        if (!release) {
          reply.header('retry-after', '5');
          return refused(429, 'uploads busy: try again in a few seconds', 'BUSY');
        }
        try {
          if (!req.isMultipart())
            return refused(400, 'send the file as multipart/form-data (one file part)', 'NOT_MULTIPART');
          const part = await req.file();
          if (!part) return refused(400, 'the upload carries no file', 'NO_FILE');
          // The part's filename and mimetype are the browser's word: never read.
          const buf = await part.toBuffer();
          const f = await files.ingest(buf, actor, d.clock.now());
          w.audit(req, { action: 'evidence.upload', target: f.id, detail: { kind: f.kind, bytes: f.bytes } });
          return reply.status(201).send(evidenceView(f));
        } catch (err) {
          if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
            return refused(
              413,
              `the file is larger than ${d.config.ledger.photos.maxUploadMB} MB`,
              'TOO_LARGE',
            );
          if (
            (err as { code?: string }).code === 'FST_FILES_LIMIT' ||
            (err as { code?: string }).code === 'FST_PARTS_LIMIT'
          )
            return refused(400, 'one file per upload', 'TOO_MANY_PARTS');
          if (err instanceof GatewayError) return refused(400, err.message, err.code);
          throw err;
        } finally {
          release();
        }
      },
    );
  });

  const serve = async (req: FastifyRequest, id: string, reply: FastifyReply, thumb: boolean) => {
    const f = files.get(id);
    if (!f) return rejectInput(d.metrics, req, reply, 404, `no evidence file ${id}`);
    if (thumb && f.ext === 'pdf')
      return rejectInput(d.metrics, req, reply, 404, 'a document has no thumbnail');
    const file = files.path(f, thumb);
    try {
      await stat(file);
    } catch {
      return rejectInput(d.metrics, req, reply, 404, 'the file is past its retention or was never written');
    }
    if (!thumb)
      w.audit(req, { action: 'evidence.view', target: f.id, caseId: f.caseId, detail: { kind: f.kind } });
    reply.header('content-type', thumb ? 'image/jpeg' : MIME[f.ext]);
    reply.header('cache-control', 'private, max-age=3600');
    // A PDF is a download under a sandbox: it never runs in the dashboard's origin.
    if (f.ext === 'pdf') {
      reply.header('content-disposition', `attachment; filename="${f.id}.pdf"`);
      reply.header('content-security-policy', 'sandbox');
    } else
      reply.header('content-disposition', `inline; filename="${f.id}${thumb ? '.thumb.jpg' : `.${f.ext}`}"`);
    return reply.send(createReadStream(file));
  };
  const viewSchema = {
    params: S.IdParams,
    response: { 200: W.EvidenceBytes, 404: S.ErrorReply },
  };
  app.get('/api/evidence/:id', { schema: viewSchema }, (req, reply) =>
    serve(req, req.params.id, reply, false),
  );
  app.get('/api/evidence/:id/thumb', { schema: viewSchema }, (req, reply) =>
    serve(req, req.params.id, reply, true),
  );
};
