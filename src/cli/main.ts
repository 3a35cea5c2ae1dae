#!/usr/bin/env node
// The entry only prepares module loading before the program's modules load (static imports would
// load them before this ran):
// - Node's on-disk compile cache (Node >= 22.1): a restart reuses the compiled code of every
//   module instead of compiling it again.
// - drizzle-orm's modules are resolved here (Node >= 22.15). Node resolves each import of a
//   package by reading the package's scope, and in doing so parses its "exports" again every time
//   (Node 22–24); drizzle-orm's package.json is 175 KB of exports and the server loads ~500 of its
//   modules, which cost 1–2 s of CPU at every start. Its own relative specifiers always name a .js
//   file, and the package is "type": "module", so the URL and format are known here. Our own
//   imports of its entry points (`drizzle-orm/pg-core`, ~50 of them, 8 ms each) are resolved once
//   per specifier: every file of the project resolves them from the same node_modules.
import module from 'node:module';

const largeExportsPackage = '/node_modules/drizzle-orm/';
const resolvedEntryPoints = new Map<string, module.ResolveFnOutput>();

module.enableCompileCache?.();
module.registerHooks?.({
  resolve(specifier, context, nextResolve) {
    const parent = context.parentURL;
    if (!parent?.startsWith('file:')) return nextResolve(specifier, context);
    if (parent.includes(largeExportsPackage) && /^\.\.?\//.test(specifier) && specifier.endsWith('.js'))
      return { url: new URL(specifier, parent).href, format: 'module', shortCircuit: true };
    if (!parent.includes('/node_modules/') && (specifier === 'drizzle-orm' || specifier.startsWith('drizzle-orm/'))) {
      const key = `${specifier}\0${context.conditions?.join(',')}`;
      const resolved = resolvedEntryPoints.get(key);
      if (resolved) return { ...resolved, shortCircuit: true };
      const first = nextResolve(specifier, context);
      resolvedEntryPoints.set(key, first);
      return first;
    }
    return nextResolve(specifier, context);
  },
});
await import('./program.js');
