import type { BlueprintsRepository } from '../../blueprints/blueprints.repository.js';
import { buildBlueprint, compileBlueprint, extractPage, type Blueprint, type ExamplePage, type Field } from '../../engine/index.js';
import { verifyBlueprint } from '../../engine/index.js';
import { PermanentJobError, type JobContext } from '../../queue/index.js';
import type { SiteRecord, SitesRepository } from '../../sites/sites.repository.js';
import type { Fetcher } from '../../engine/index.js';
import { checkUrls, fetchAll } from './check-site.js';
import { saveBlueprint } from './update-blueprint.js';

/** A field whose coverage on fresh pages falls under this share is re-located. */
const BROKEN_BELOW = 0.5;

export interface RepairDeps {
  sites: SitesRepository;
  blueprints: BlueprintsRepository;
  fetcher: Fetcher;
}

/**
 * repair_blueprint: fields that stopped matching are re-located from their last known good
 * values: the old blueprint still reads them from the pages stored at analysis time, and the
 * same values are then searched for on the fresh pages of the same URLs. The repaired
 * blueprint is saved only if it verifies on the fresh pages.
 */
export function repairBlueprintHandler(deps: RepairDeps) {
  return async (context: JobContext, site: SiteRecord) => {
    const active = await deps.blueprints.active(site.id);
    if (!active) throw new PermanentJobError('the site has no blueprint to repair');
    const blueprint = active.content;
    const outcomes = await fetchAll(deps.fetcher, await checkUrls(deps.sites, site, blueprint), context);
    const fresh = outcomes.flatMap((outcome) => (outcome.page && outcome.page.status < 400 ? [outcome.page] : []));
    if (fresh.length === 0) throw new Error('no page of the site could be fetched');
    const before = verifyBlueprint(blueprint, fresh);
    const broken = before.fields.filter((field) => field.pages > 0 && field.coverage < BROKEN_BELOW);
    if (broken.length === 0) {
      await context.log('info', 'every field still matches; nothing to repair', { coverage: before.coverage });
      return { repaired: [], version: active.version };
    }
    await context.log('warn', `re-locating ${broken.map((field) => field.field).join(', ')}`);

    // Last known good values: the current blueprint applied to the pages it last worked on.
    const stored = new Map((await deps.sites.pages(site.id)).map((page) => [page.url, page]));
    const compiled = compileBlueprint(blueprint);
    const examples: ExamplePage[] = [];
    for (const page of fresh) {
      const old = stored.get(page.url);
      if (!old) continue;
      const record = extractPage(compiled, { url: old.url, html: old.html });
      const values = Object.fromEntries(
        broken.flatMap((field) => {
          const value = record.fields[field.field]?.value;
          return value && (!Array.isArray(value) || value.length) ? [[field.field, value]] : [];
        }),
      );
      if (Object.keys(values).length) examples.push({ url: page.url, values });
    }
    if (examples.length === 0) throw new PermanentJobError('no last known good values to re-locate the broken fields from');

    const pageType = blueprint.pageTypes.find((type) => type.name === broken[0]!.pageType)!;
    const brokenFields = [...pageType.fields, ...(pageType.list?.fields ?? [])].filter((field) => broken.some((b) => b.field === field.name));
    const rebuilt = buildBlueprint(
      fresh.map((page) => ({ url: page.url, html: page.html })),
      {
        fields: brokenFields.map((field) => ({ name: field.name, type: field.type, multiple: field.multiple, required: field.required, ...(field.description ? { description: field.description } : {}) })),
        examples,
        pageTypeName: pageType.name,
      },
    ).blueprint;
    const relocated = new Map(rebuilt.pageTypes.flatMap((type) => [...type.fields, ...(type.list?.fields ?? [])]).map((field) => [field.name, field]));
    const patch = (field: Field): Field => {
      const found = relocated.get(field.name);
      return found && found.sources.length ? { ...field, sources: found.sources, mode: found.mode, quality: found.quality } : field;
    };
    const candidate: Blueprint = {
      ...blueprint,
      pageTypes: blueprint.pageTypes.map((type) =>
        type.name === pageType.name
          ? { ...type, fields: type.fields.map(patch), list: type.list && { ...type.list, fields: type.list.fields.map(patch) } }
          : type,
      ),
    };
    const after = verifyBlueprint(candidate, fresh);
    const stillBroken = after.fields.filter((field) => broken.some((b) => b.field === field.field) && field.coverage < BROKEN_BELOW);
    if (stillBroken.length) {
      throw new PermanentJobError(`could not re-locate ${stillBroken.map((field) => field.field).join(', ')} from their last known values`);
    }
    const saved = await saveBlueprint(deps, context, site, { ...candidate, validation: { ...blueprint.validation!, coverage: after.coverage } }, 'repair');
    // The fresh pages become the last known good state for the next repair.
    await deps.sites.upsertPages(site.id, fresh);
    await deps.sites.update(site.id, { health: 'healthy' });
    await context.log('info', `repaired ${broken.map((field) => field.field).join(', ')}`, { coverage: after.coverage });
    return { repaired: broken.map((field) => field.field), ...saved };
  };
}
