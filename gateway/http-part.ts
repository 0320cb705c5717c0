import type { FastifyInstance } from 'fastify';
import { GatewayError } from '../core/errors.js';
import type { SecretsFile } from './config/secrets-file.js';
import type { Store } from './store/store.js';
import { buildServer, type WebDeps } from './web/server.js';

/** What the HTTP part is built from: the web's dependencies, with the store and secrets still closed. */
export interface HttpPartDeps extends Omit<WebDeps, 'db' | 'secrets'> {
  store: Store;
  secrets: SecretsFile;
  host: string;
  port: number;
}

/**
 * The HTTP API and dashboard as a part of the composition root. The web layer reads the
 * store and secrets when it is set up (accounts, tokens), so the server is made by the
 * `http` start step, then listens; a listen that fails (the port is taken) closes the
 * server again before the failure goes up, so the lifecycle rolls back the rest.
 */
export class HttpPart {
  readonly #d: HttpPartDeps;
  #app: FastifyInstance | null = null;

  constructor(deps: HttpPartDeps) {
    this.#d = deps;
  }

  /** Builds the server on the open store and listens. */
  async start(): Promise<void> {
    const { store, secrets, host, port, ...web } = this.#d;
    const app = buildServer({ ...web, db: store.db, secrets: secrets.value });
    try {
      await app.listen({ host, port });
    } catch (err) {
      await app.close();
      throw err;
    }
    this.#app = app;
  }

  /** Stops listening; requests in flight finish first. */
  async stop(): Promise<void> {
    const app = this.#app;
    this.#app = null;
    await app?.close();
  }

  /** The fastify instance; throws NOT_STARTED before the http step. */
  get app(): FastifyInstance {
    if (!this.#app) throw new GatewayError('NOT_STARTED', 'the HTTP server is not started');
    return this.#app;
  }

  /** http://host:port as bound (tests listen on port 0); '' when not listening. */
  get url(): string {
    const a = this.#app?.server.address();
    return typeof a === 'object' && a
      ? `http://${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`
      : '';
  }
}
