import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { objectMembers } from './database.js';
import { loadSignatures, signatureCacheFile } from './signatures.js';

const cacheDir = () => mkdtempSync(path.join(tmpdir(), 'siteprint-signatures-'));
const cacheFile = signatureCacheFile;

/** What a page's fingerprint depends on: the candidate index and the compiled technologies it names. */
function summary({ signatures }: ReturnType<typeof loadSignatures>) {
  const { candidates } = signatures;
  const sample = [...candidates.always.slice(0, 5), ...[...candidates.byLiteral.values()].slice(0, 20).flat()];
  return {
    candidates,
    technologies: sample.map((at) => {
      const { dom, ...technology } = signatures.technology(at);
      return { ...technology, selectors: dom.map((check) => [check.selector, check.tokens]) };
    }),
    wordpress: signatures.named('WordPress')?.implies,
    found: [...signatures.literals.find('<script src="/WP-Content/plugins/add-to-any/addtoany.min.js">')].sort(),
  };
}

describe('compiled signatures cached on disk', () => {
  it('are compiled and written once, then read back the same', () => {
    const dir = cacheDir();
    const compiled = loadSignatures(dir);
    expect(compiled.from).toBe('compiled');
    const cached = loadSignatures(dir);
    expect(cached.from).toBe('cache');
    expect(summary(cached)).toEqual(summary(compiled));
    expect(summary(cached).found).toContain('/wp-content/plugins/add-to-any/addtoany.min.js');
  });

  it('are rebuilt when the file is truncated, garbage or altered, and the file repaired', () => {
    const dir = cacheDir();
    const reference = summary(loadSignatures(dir));
    const intact = readFileSync(cacheFile(dir), 'utf8');
    const [header, body] = [intact.slice(0, intact.indexOf('\n')), intact.slice(intact.indexOf('\n') + 1)];
    const damaged = [
      intact.slice(0, intact.length / 2),
      'not json at all',
      '',
      // A well-formed index that lies (every technology renamed), under the right key: the checksum gives it away.
      `${header}\n${body.replaceAll('"WordPress"', '"WordPresz"')}`,
    ];
    for (const content of damaged) {
      writeFileSync(cacheFile(dir), content);
      const loaded = loadSignatures(dir);
      expect(loaded.from).toBe('compiled');
      expect(summary(loaded)).toEqual(reference);
      expect(readFileSync(cacheFile(dir), 'utf8')).toBe(intact);
    }
  });

  it('are rebuilt when the file was made for other rules or another engine (its key differs)', () => {
    const dir = cacheDir();
    loadSignatures(dir);
    const intact = readFileSync(cacheFile(dir), 'utf8');
    const header = JSON.parse(intact.slice(0, intact.indexOf('\n'))) as { key: string; checksum: string };
    writeFileSync(cacheFile(dir), `${JSON.stringify({ ...header, key: 'f'.repeat(64) })}${intact.slice(intact.indexOf('\n'))}`);
    expect(loadSignatures(dir).from).toBe('compiled');
    expect(readFileSync(cacheFile(dir), 'utf8')).toBe(intact);
  });

  it('work without a cache when the directory cannot be written', () => {
    const dir = cacheDir();
    const notADirectory = path.join(dir, 'file');
    writeFileSync(notADirectory, '');
    expect(loadSignatures(notADirectory).from).toBe('compiled');
    expect(loadSignatures(notADirectory).from).toBe('compiled');
    expect(loadSignatures(undefined).from).toBe('compiled');
  });
});

describe('objectMembers', () => {
  it('finds each member and its value as JSON.parse reads them, without parsing the values', () => {
    const json = Buffer.from('{ "a": {"x": "}, \\" ]"}, "b\\u00e9" : [1, {"y": [2]}] ,"c":"ü,{", "a": {"last": true}, "d": null }');
    const members = objectMembers(json);
    const parsed = JSON.parse(json.toString('utf8')) as Record<string, unknown>;
    expect(members.map((member) => member.name)).toEqual(Object.keys(parsed));
    for (const { name, start, end } of members) expect(JSON.parse(json.toString('utf8', start, end))).toEqual(parsed[name]);
    expect(objectMembers(Buffer.from(' {} '))).toEqual([]);
    expect(() => objectMembers(Buffer.from('[1]'))).toThrow(/malformed/);
  });
});
