import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { GatewayError } from '../../core/errors.js';
import { type Config, ConfigSchema } from './schema.js';
import { type DriverCatalog, semanticProblems } from './semantic.js';

export { type DriverCatalog, semanticProblems } from './semantic.js';

/** One problem in a config file, located for a person to fix. */
export interface ConfigProblem {
  /** `readers[3].door` style path; empty for the whole file. */
  path: string;
  message: string;
  /** 1-based line in the YAML file, when known. */
  line?: number;
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
addFormats.default(ajv);
const validate = ajv.compile<Config>(ConfigSchema);

/** Formats problems the way `check-config` prints them: `file:line path: message`. */
export function formatProblems(file: string, problems: ConfigProblem[]): string {
  return problems
    .map((p) => `${file}${p.line ? `:${p.line}` : ''} ${p.path || '(file)'}: ${p.message}`)
    .join('\n');
}

/** Turns ajv's `/readers/3/door` into `readers[3].door`. */
export function jsonPointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
}

function describe(e: ErrorObject): { pointer: string; message: string } {
  switch (e.keyword) {
    case 'required':
      return {
        pointer: e.instancePath,
        message: `missing required field "${(e.params as { missingProperty: string }).missingProperty}"`,
      };
    case 'additionalProperties':
      return {
        pointer: `${e.instancePath}/${(e.params as { additionalProperty: string }).additionalProperty}`,
        message: 'unknown field (check the spelling against config/config.schema.json)',
      };
    case 'anyOf':
      return { pointer: e.instancePath, message: 'does not match any allowed form' };
    case 'const':
      return {
        pointer: e.instancePath,
        message: `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`,
      };
    default:
      return { pointer: e.instancePath, message: e.message ?? e.keyword };
  }
}

/**
 * Schema errors of a union repeat themselves once per branch; keep the most useful one
 * per path: the branch errors ("must be string", "must be null") fold into one line.
 */
function schemaProblems(errors: ErrorObject[]): Array<{ pointer: string; message: string }> {
  const byPointer = new Map<string, string[]>();
  const separate: Array<{ pointer: string; message: string }> = [];
  for (const e of errors) {
    const d = describe(e);
    if (e.keyword === 'required' || e.keyword === 'additionalProperties') {
      separate.push(d);
      continue;
    }
    const list = byPointer.get(d.pointer) ?? [];
    if (!list.includes(d.message)) list.push(d.message);
    byPointer.set(d.pointer, list);
  }
  return [
    ...separate,
    ...[...byPointer].map(([pointer, messages]) => {
      const specific = messages.filter((m) => m !== 'does not match any allowed form');
      const consts = specific.filter((m) => m.startsWith('must be "') || m.startsWith('must be '));
      if (consts.length > 1 && consts.length === specific.length) {
        return { pointer, message: `must be one of: ${consts.map((m) => m.slice(8)).join(', ')}` };
      }
      return { pointer, message: specific.join('; ') || messages.join('; ') };
    }),
  ];
}

/** Freezes an object graph so no module can change settings after start-up. */
export function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

export interface LoadedConfig {
  config: Config;
  /** Absolute path of the file it came from. */
  file: string;
  /** Absolute data directory and secrets file (resolved against the file's folder). */
  dataDir: string;
  secretsFile: string;
}

/**
 * Parses and validates YAML text. Throws GatewayError('CONFIG_INVALID') whose
 * `context.problems` lists every problem, each with its path and line.
 */
export function parseConfig(text: string, drivers: DriverCatalog): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const lineOf = (pointer: string): number | undefined => {
    const segs = pointer
      .split('/')
      .slice(1)
      .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    for (let n = segs.length; n >= 0; n--) {
      const node = doc.getIn(segs.slice(0, n), true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => ({
      path: '',
      message: `YAML: ${e.message.split('\n')[0]}`,
      line: e.linePos?.[0]?.line,
    }));
    throw new GatewayError('CONFIG_INVALID', 'config is not valid YAML', { problems });
  }
  const data = doc.toJS() ?? {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new GatewayError('CONFIG_INVALID', 'config must be a YAML mapping', {
      problems: [{ path: '', message: 'the file must hold a mapping (key: value lines)' }],
    });
  }
  const valid = validate(data);
  const found = [...(valid ? [] : schemaProblems(validate.errors ?? [])), ...semanticProblems(data, drivers)];
  if (found.length > 0) {
    const problems: ConfigProblem[] = found.map((p) => ({
      path: jsonPointerToPath(p.pointer),
      message: p.message,
      line: lineOf(p.pointer),
    }));
    problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    throw new GatewayError('CONFIG_INVALID', `${problems.length} problem(s) in config`, { problems });
  }
  return data as Config;
}

/** Reads, validates, resolves paths and deep-freezes a config file. */
export function loadConfig(file: string, drivers: DriverCatalog): LoadedConfig {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    throw new GatewayError('CONFIG_INVALID', `cannot read ${abs}`, {
      problems: [
        { path: '', message: `cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}` },
      ],
    });
  }
  const config = parseConfig(text, drivers);
  const base = path.dirname(abs);
  return deepFreeze({
    config,
    file: abs,
    dataDir: path.resolve(base, config.dataDir),
    secretsFile: path.resolve(base, config.secretsFile),
  });
}
