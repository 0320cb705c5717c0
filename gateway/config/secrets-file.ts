import type { Logger } from 'pino';
import { GatewayError } from '../../core/errors.js';
import type { DriverSecrets } from '../../drivers/types.js';
import { cameraLogin, loadSecrets, type Secrets } from './secrets.js';

/**
 * The secrets file as a part of the composition root: built without I/O, read (and
 * completed with generated values) by the first start step. Parts that need a secret hold
 * this and read it when they use it, after start.
 */
export class SecretsFile {
  readonly file: string;
  readonly #readerIds: readonly string[];
  readonly #log: Logger;
  #secrets: Secrets | null = null;

  constructor(file: string, readerIds: readonly string[], log: Logger) {
    this.file = file;
    this.#readerIds = readerIds;
    this.#log = log;
  }

  /** Reads the file, creating it or adding missing values first (their names are logged, never values). Idempotent. */
  load(): Secrets {
    if (this.#secrets) return this.#secrets;
    const { secrets, generated, modeFixed } = loadSecrets(this.file, this.#readerIds);
    if (modeFixed)
      this.#log.warn(
        { file: this.file, was: modeFixed },
        'secrets file was readable by group or others: mode set to 0600 (rotate what it holds if others could read it)',
      );
    if (generated.length > 0) this.#log.warn({ file: this.file, generated }, 'generated missing secrets');
    this.#secrets = secrets;
    return secrets;
  }

  /**
   * What drivers may read of the file (terminal and camera logins, reader passwords), looked up at each
   * use, so a driver built before the file is read sees it once it is.
   */
  forDrivers(): DriverSecrets {
    return {
      terminalLogin: (readerId) => {
        const t = this.value.terminals?.[readerId];
        // A terminal's factory account is `admin` on both Hikvision and Dahua.
        return t ? { username: t.username ?? 'admin', password: t.password } : undefined;
      },
      readerPassword: (readerId) => this.value.readers[readerId],
      cameraLogin: (readerId) => cameraLogin(this.value, readerId),
    };
  }

  /** The secrets; throws SECRETS_NOT_LOADED before load(). */
  get value(): Secrets {
    if (!this.#secrets)
      throw new GatewayError('SECRETS_NOT_LOADED', `the secrets file ${this.file} is not read yet`);
    return this.#secrets;
  }
}
