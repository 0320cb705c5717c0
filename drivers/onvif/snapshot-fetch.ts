/**
 * Fetches a camera's snapshot JPEG (issue 13): a plain HTTP GET of the URI GetSnapshotUri
 * named, answered with HTTP Digest (core/digest.ts) because WS-Security does not cover it.
 * Bounded every way a camera can misbehave: a deadline for the whole transfer, a byte cap
 * (checked against Content-Length before reading, and while reading), a connection cut
 * mid-image, a body that is not a whole JPEG. Basic auth is never sent over plain HTTP:
 * the password would cross the estate LAN in clear.
 */
import http from 'node:http';
import https from 'node:https';
import type { DigestClient } from '../../core/digest.js';
import { cameraError } from './calls.js';
import { JPEG_EOI, JPEG_SOI } from './constants.js';

/** How a snapshot is fetched. */
export interface FetchOptions {
  /** Epoch ms by which the whole JPEG must be in. */
  deadline: number;
  maxBytes: number;
  /** The camera's Digest state (kept between snapshots: one challenge serves many). */
  digest: DigestClient;
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** GETs a snapshot, answering Digest challenges; resolves with a whole JPEG or rejects with a camera error. */
export async function fetchSnapshot(url: URL, o: FetchOptions): Promise<Buffer> {
  // A first 401 is the challenge (or says the nonce kept from the last snapshot expired, with
  // or without stale=true); a later one with stale=true asks for the new nonce; any other
  // later one means the login is wrong.
  for (let attempt = 0; attempt < 3; attempt++) {
    const auth = o.digest.authorization('GET', url.pathname + url.search);
    const r = await get(url, auth, o);
    if (r.status === 200) return jpeg(r.body);
    if (r.status !== 401) throw cameraError('protocol', `snapshot: HTTP ${r.status}`, { status: r.status });
    const challenge = r.headers['www-authenticate'];
    const stale = /stale\s*=\s*"?true/i.test(String(challenge ?? ''));
    if (auth !== null && !stale && attempt > 0) break;
    if (!o.digest.challenge(challenge)) {
      throw cameraError(
        'auth',
        /basic/i.test(String(challenge ?? ''))
          ? 'snapshot: the camera asks for Basic auth, which would send the password in clear; enable Digest on the camera'
          : 'snapshot: 401 without a Digest challenge',
      );
    }
  }
  throw cameraError('auth', 'snapshot: the camera refused the login (user name or password)');
}

function get(url: URL, authorization: string | null, o: FetchOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.get(url, {
      headers: { accept: 'image/jpeg', ...(authorization ? { authorization } : {}) },
      agent: false,
    });
    let done = false;
    const fail = (err: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      reject(err);
    };
    const timer = setTimeout(
      () => fail(cameraError('timeout', 'snapshot: not complete in time')),
      Math.max(0, o.deadline - Date.now()),
    );
    req.on('error', (err) => fail(cameraError('unreachable', `snapshot: ${err.message}`)));
    req.on('response', (res) => {
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > o.maxBytes)
        return fail(cameraError('too_large', `snapshot: ${declared} bytes, more than ${o.maxBytes}`));
      const chunks: Buffer[] = [];
      let n = 0;
      res.on('data', (c: Buffer) => {
        n += c.length;
        if (n > o.maxBytes) fail(cameraError('too_large', `snapshot: more than ${o.maxBytes} bytes`));
        else chunks.push(c);
      });
      res.on('aborted', () => fail(cameraError('unreachable', 'snapshot: the connection was cut mid-image')));
      res.on('error', (err) => fail(cameraError('unreachable', `snapshot: ${err.message}`)));
      res.on('end', () => {
        if (done) return;
        if (!res.complete)
          return fail(cameraError('unreachable', 'snapshot: the connection was cut mid-image'));
        done = true;
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
    });
  });
}

/** The body as a whole JPEG: its start-of-image marker and, at its end, end-of-image. */
function jpeg(body: Buffer): Buffer {
  const end = body.lastIndexOf(JPEG_EOI);
  if (!body.subarray(0, 3).equals(JPEG_SOI) || end < 0 || body.length - end > 64)
    throw cameraError('bad_image', `snapshot: ${body.length} bytes that are not a whole JPEG`);
  return body;
}
