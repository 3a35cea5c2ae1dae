import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_REFERENCE_FILE, documentation, renderConfigReference } from '../../scripts/config-reference.js';
import { configVariables } from '../../src/config/config.js';

describe('docs/configuration.md', () => {
  it('is what the configuration schema generates (run npm run docs:config after changing src/config)', () => {
    expect(readFileSync(CONFIG_REFERENCE_FILE, 'utf8')).toBe(renderConfigReference());
  });

  it('describes every variable the configuration reads', () => {
    const docs = documentation();
    const undocumented = configVariables.filter((name) => !docs.get(name)?.description);
    expect(undocumented).toEqual([]);
    const page = renderConfigReference();
    for (const name of configVariables) expect(page).toContain(`| \`${name}\` |`);
  });

  it('reads descriptions and sections from the schema source', () => {
    const docs = documentation(
      'const configSchema = z.object({\n  /** First. */\n  A: z.string(),\n  // --- Mail: optional ---\n  /**\n   * Two\n   * lines.\n   */\n  B: z.string(),\n});',
    );
    expect(Object.fromEntries(docs)).toEqual({
      A: { section: 'Server', description: 'First.' },
      B: { section: 'Mail', description: 'Two lines.' },
    });
  });
});
