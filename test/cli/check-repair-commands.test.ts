import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const temp = () => mkdtempSync(path.join(tmpdir(), 'siteprint-check-cli-'));

const page = (title: string) =>
  `<base href="https://shop.example/book/${title.toLowerCase()}"><html><body><h1 class="title">${title}</h1></body></html>`;

/** A directory of saved pages and a blueprint made from them by `siteprint blueprint`. */
async function builtSite(): Promise<{ pages: string; blueprint: string }> {
  const dir = temp();
  const pages = path.join(dir, 'pages');
  mkdirSync(pages);
  for (const [index, title] of ['Atlas', 'Ember', 'Orchard'].entries()) writeFileSync(path.join(pages, `000${index}.htm`), page(title));
  const blueprint = path.join(dir, 'blueprint.json');
  const built = await runCli(['blueprint', '--pages', pages, '--fields', 'title', '--out', blueprint]);
  expect(built.stderr).toBe('');
  expect(built.code).toBe(0);
  return { pages, blueprint };
}

// Each test runs the CLI several times; a busy machine takes seconds per run.
describe('siteprint check and repair', { timeout: 240_000 }, () => {
  it('checks saved pages with a blueprint and says when nothing needs repairing', async () => {
    const site = await builtSite();
    const checked = await runCli(['check', '--blueprint', site.blueprint, '--pages', site.pages]);
    expect(checked.stderr).toBe('');
    expect(checked.code).toBe(0);
    expect(JSON.parse(checked.stdout)).toMatchObject({ health: 'healthy', coverage: 1, servedPages: 3, broken: [] });

    const repaired = await runCli(['repair', '--blueprint', site.blueprint, '--known', site.pages, '--pages', site.pages]);
    expect(repaired.code).toBe(0);
    expect(JSON.parse(repaired.stdout)).toEqual({ status: 'intact', repaired: [], coverage: 1 });
  });

  it('explains a missing or broken blueprint, missing pages and missing options, exiting non-zero', async () => {
    const site = await builtSite();
    const missing = await runCli(['check', '--blueprint', '/nonexistent/blueprint.json', '--pages', site.pages]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read blueprint \/nonexistent\/blueprint.json: ENOENT/);

    const bad = path.join(temp(), 'bad.json');
    writeFileSync(bad, JSON.stringify({ pageTypes: 'none' }));
    for (const command of ['check', 'repair']) {
      const broken = await runCli([command, '--blueprint', bad, '--known', site.pages, '--pages', site.pages]);
      expect(broken.code).toBe(1);
      expect(broken.stderr).toMatch(new RegExp(`siteprint: blueprint ${bad}: `));
    }
    writeFileSync(bad, '{ not json');
    const notJson = await runCli(['check', '--blueprint', bad, '--pages', site.pages]);
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toMatch(new RegExp(`siteprint: blueprint ${bad}: `));

    const noPages = await runCli(['repair', '--blueprint', site.blueprint, '--known', '/nonexistent/pages', '--pages', site.pages]);
    expect(noPages.code).toBe(1);
    expect(noPages.stderr).toMatch(/cannot read pages directory \/nonexistent\/pages: ENOENT/);

    const noKnown = await runCli(['repair', '--blueprint', site.blueprint, '--pages', site.pages]);
    expect(noKnown.code).toBe(1);
    expect(noKnown.stderr).toMatch(/required option '--known <dir>' not specified/);

    const both = await runCli(['check', '--blueprint', site.blueprint, '--pages', site.pages, 'https://shop.example/book/atlas']);
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/give URLs or --pages, not both/);

    const notUrl = await runCli(['check', '--blueprint', site.blueprint, 'ftp://shop.example/']);
    expect(notUrl.code).toBe(1);
    expect(notUrl.stderr).toMatch(/not an http\(s\) URL: ftp:\/\/shop.example\//);
  });

  it('says why a repair cannot be made: no last known values of the broken fields', async () => {
    const site = await builtSite();
    // Fresh copies where the title moved, and "known" pages that never showed it.
    const fresh = temp();
    const blank = temp();
    for (const [index, title] of ['Atlas', 'Ember', 'Orchard'].entries()) {
      const url = `https://shop.example/book/${title.toLowerCase()}`;
      writeFileSync(path.join(fresh, `000${index}.htm`), `<base href="${url}"><html><body><p class="name">${title}</p></body></html>`);
      writeFileSync(path.join(blank, `000${index}.htm`), `<base href="${url}"><html><body></body></html>`);
    }
    const degraded = await runCli(['check', '--blueprint', site.blueprint, '--pages', fresh]);
    expect(degraded.code).toBe(0);
    expect(JSON.parse(degraded.stdout)).toMatchObject({ health: 'degraded', broken: ['title'] });

    const refused = await runCli(['repair', '--blueprint', site.blueprint, '--known', blank, '--pages', fresh]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/siteprint: no last known good values to re-locate the broken fields from/);

    const repaired = await runCli(['repair', '--blueprint', site.blueprint, '--known', site.pages, '--pages', fresh]);
    expect(repaired.stderr).toBe('');
    expect(repaired.code).toBe(0);
    expect(JSON.parse(repaired.stdout)).toMatchObject({ status: 'repaired', repaired: ['title'], coverage: 1, blueprint: { version: 2 } });
  });
});
