/**
 * A simulated police VIID platform (GA/T 1400, issue 14): what a community gateway meets at
 * the public-security side. Register takes HTTP Digest (MD5, qop=auth: the first POST gets
 * 401 and a challenge) and refuses a bad one; a registration expires when nothing comes
 * within its time; Keepalive keeps it; faces are taken as FaceListObjects with their JPEGs;
 * the configured community resources take any list. Every call must carry User-Identify.
 * restart() forgets every registration and nonce, as a platform restart does.
 */
import { EventEmitter } from 'node:events';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { DigestServer } from '../core/digest.js';
import {
  statusBody,
  VIID_FACES,
  VIID_KEEPALIVE,
  VIID_REGISTER,
  VIID_STATUS,
  VIID_UNREGISTER,
} from '../core/viid-wire.js';

/** Options of the simulated platform. */
export interface SimViidPlatformOptions {
  /** Device id → Digest password (the user name is the device id unless `users` says otherwise). */
  devices: Record<string, string>;
  /** A registration not refreshed for this long expires (real platforms: ~5 minutes). */
  registrationTtlMs?: number;
  /** A nonce is good this long. */
  nonceTtlMs?: number;
  /** Community resources accepted, e.g. /VIID/Community/AccessRecords. */
  communityResources?: string[];
  port?: number;
  host?: string;
}

/** A face the platform took. */
export interface ReceivedFace {
  faceId: string;
  deviceId: string;
  jpeg: Buffer;
  shotTime: string;
  width: number;
  height: number;
}

/** Counters of the platform. */
export interface SimViidStats {
  registers: number;
  keepalives: number;
  unregisters: number;
  challenges: number;
  badDigest: number;
  unregisteredCalls: number;
  faces: number;
  duplicateFaces: number;
  community: number;
  restarts: number;
}

/** Events of the platform. */
export interface SimViidEvents {
  register: [deviceId: string];
  face: [face: ReceivedFace];
  unregister: [deviceId: string];
}

/** The simulated platform. Construction does no I/O; start() listens. */
export class SimViidPlatform extends EventEmitter<SimViidEvents> {
  readonly #o: SimViidPlatformOptions;
  #digest: DigestServer;
  #app: FastifyInstance | undefined;
  #port: number;
  /** Device id → when its registration expires. */
  readonly #registered = new Map<string, number>();
  readonly #faces = new Map<string, ReceivedFace>();
  readonly community: Array<{ resource: string; body: unknown }> = [];
  readonly #stats: SimViidStats = {
    registers: 0,
    keepalives: 0,
    unregisters: 0,
    challenges: 0,
    badDigest: 0,
    unregisteredCalls: 0,
    faces: 0,
    duplicateFaces: 0,
    community: 0,
    restarts: 0,
  };

  constructor(o: SimViidPlatformOptions) {
    super();
    this.#o = o;
    this.#port = o.port ?? 0;
    this.#digest = this.#newDigest();
  }

  /** http://host:port, what the gateway's viid.url names. */
  get url(): string {
    return `http://${this.#o.host ?? '127.0.0.1'}:${this.#port}`;
  }

  /** Faces taken, by FaceID. */
  get faces(): ReceivedFace[] {
    return [...this.#faces.values()];
  }

  stats(): SimViidStats {
    return { ...this.#stats };
  }

  /** Whether a device holds a live registration. */
  registered(deviceId: string): boolean {
    return (this.#registered.get(deviceId) ?? 0) > Date.now();
  }

  /** Ends a device's registration now (as an expiry would). */
  expire(deviceId: string): void {
    this.#registered.delete(deviceId);
  }

  async start(): Promise<void> {
    const app = Fastify({ logger: false, bodyLimit: 32 * 1024 * 1024 });
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    app.post('/VIID/*', async (req, reply) => this.#handle(req, reply));
    await app.listen({ port: this.#port, host: this.#o.host ?? '127.0.0.1' });
    const a = app.server.address();
    this.#port = typeof a === 'object' && a ? a.port : this.#port;
    this.#app = app;
  }

  async stop(): Promise<void> {
    const app = this.#app;
    this.#app = undefined;
    await app?.close();
  }

  /** A platform restart: down, then up on the same port with no registrations and no nonces. */
  async restart(): Promise<void> {
    await this.stop();
    this.#registered.clear();
    this.#digest = this.#newDigest();
    this.#stats.restarts++;
    await this.start();
  }

  #newDigest(): DigestServer {
    return new DigestServer({
      realm: 'viid-sim',
      users: (name) => this.#o.devices[name],
      nonceTtlMs: this.#o.nonceTtlMs ?? 300_000,
    });
  }

  #reply(
    reply: FastifyReply,
    http: number,
    path: string,
    id: string,
    code: number,
    text: string,
  ): FastifyReply {
    return reply
      .code(http)
      .header('content-type', 'application/VIID+JSON;charset=UTF-8')
      .send(statusBody(path, id, code, text, Date.now()));
  }

  async #handle(req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const path = req.url.split('?')[0] ?? '';
    const device = req.headers['user-identify'];
    if (typeof device !== 'string' || !/^[0-9]{20}$/.test(device))
      return this.#reply(reply, 400, path, '', VIID_STATUS.invalidJsonContent, 'User-Identify 缺失');
    const auth = this.#digest.verify(req.headers.authorization, 'POST');
    if (!auth.ok || auth.username !== device) {
      if (auth.ok || (auth.why !== 'missing' && auth.why !== 'stale_nonce')) this.#stats.badDigest++;
      else this.#stats.challenges++;
      return reply
        .code(401)
        .header('www-authenticate', this.#digest.challenge(!auth.ok && auth.why === 'stale_nonce'))
        .send();
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(String(req.body ?? '')) as Record<string, unknown>;
    } catch {
      return this.#reply(reply, 400, path, device, VIID_STATUS.invalidJsonFormat, 'JSON 格式错误');
    }
    const ttl = this.#o.registrationTtlMs ?? 300_000;
    if (path === VIID_REGISTER) {
      const id = (body.RegisterObject as { DeviceID?: unknown } | undefined)?.DeviceID;
      if (id !== device)
        return this.#reply(reply, 400, path, device, VIID_STATUS.invalidJsonContent, 'DeviceID 不符');
      this.#registered.set(device, Date.now() + ttl);
      this.#stats.registers++;
      this.emit('register', device);
      return this.#reply(reply, 200, path, device, VIID_STATUS.ok, '正常');
    }
    if (!this.registered(device)) {
      this.#stats.unregisteredCalls++;
      return this.#reply(reply, 200, path, device, VIID_STATUS.invalidOperation, '设备未注册');
    }
    this.#registered.set(device, Date.now() + ttl);
    if (path === VIID_KEEPALIVE) {
      this.#stats.keepalives++;
      return this.#reply(reply, 200, path, device, VIID_STATUS.ok, '正常');
    }
    if (path === VIID_UNREGISTER) {
      this.#registered.delete(device);
      this.#stats.unregisters++;
      this.emit('unregister', device);
      return this.#reply(reply, 200, path, device, VIID_STATUS.ok, '正常');
    }
    if (path === VIID_FACES) return this.#facesPost(reply, path, device, body);
    if (this.#o.communityResources?.includes(path)) {
      this.#stats.community++;
      this.community.push({ resource: path, body });
      return this.#reply(reply, 200, path, device, VIID_STATUS.ok, '正常');
    }
    return this.#reply(reply, 404, path, device, VIID_STATUS.invalidOperation, '资源不存在');
  }

  #facesPost(reply: FastifyReply, path: string, device: string, body: Record<string, unknown>): FastifyReply {
    const list = (body.FaceListObject as { FaceObject?: unknown } | undefined)?.FaceObject;
    if (!Array.isArray(list) || list.length === 0)
      return this.#reply(reply, 400, path, device, VIID_STATUS.invalidJsonContent, 'FaceListObject 缺失');
    const statuses = list.map((f) => {
      const face = readFace(f);
      if (typeof face === 'string')
        return { RequestURL: path, StatusCode: VIID_STATUS.invalidJsonContent, StatusString: face, Id: '' };
      if (this.#faces.has(face.faceId)) this.#stats.duplicateFaces++;
      else {
        this.#faces.set(face.faceId, face);
        this.#stats.faces++;
        this.emit('face', face);
      }
      return { RequestURL: path, StatusCode: VIID_STATUS.ok, StatusString: '正常', Id: face.faceId };
    });
    return reply
      .code(200)
      .header('content-type', 'application/VIID+JSON;charset=UTF-8')
      .send(JSON.stringify({ ResponseStatusListObject: { ResponseStatusObject: statuses } }));
  }
}

/** One FaceObject checked as a platform would; a string says what is wrong. */
function readFace(v: unknown): ReceivedFace | string {
  const f = (v ?? {}) as Record<string, unknown>;
  if (typeof f.FaceID !== 'string' || f.FaceID.length !== 48) return 'FaceID 须为 48 位';
  if (typeof f.DeviceID !== 'string' || !/^[0-9]{20}$/.test(f.DeviceID)) return 'DeviceID 须为 20 位';
  const sub = (f.SubImageList as { SubImageInfoObject?: unknown } | undefined)?.SubImageInfoObject;
  const img = (Array.isArray(sub) ? sub[0] : undefined) as Record<string, unknown> | undefined;
  if (!img || typeof img.Data !== 'string') return 'SubImageList 缺失';
  const jpeg = Buffer.from(img.Data, 'base64');
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) return '图片须为 JPEG';
  if (img.Type !== '11' || img.FileFormat !== 'Jpeg') return '图片类型错误';
  return {
    faceId: f.FaceID,
    deviceId: f.DeviceID,
    jpeg,
    shotTime: String(img.ShotTime ?? ''),
    width: Number(img.Width),
    height: Number(img.Height),
  };
}
