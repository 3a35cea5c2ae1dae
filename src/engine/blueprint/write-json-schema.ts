// Regenerates schemas/blueprint.schema.json from the zod type: npm run schema:blueprint
import { writeFileSync } from 'node:fs';
import { blueprintJsonSchema } from './json-schema.js';

writeFileSync(new URL('../../../schemas/blueprint.schema.json', import.meta.url), `${JSON.stringify(blueprintJsonSchema(), null, 2)}\n`);
