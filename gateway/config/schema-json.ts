import { writeFileSync } from 'node:fs';
import { ConfigSchema } from './schema.js';

/** The JSON Schema text of the config, as committed in config/config.schema.json. */
export function schemaJson(): string {
  return `${JSON.stringify(ConfigSchema, null, 2)}\n`;
}

// `npm run schema` regenerates the committed file from the TypeBox source.
if (process.argv[1]?.endsWith('schema-json.js'))
  writeFileSync(process.argv[2] ?? 'config/config.schema.json', schemaJson());
