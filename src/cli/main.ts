#!/usr/bin/env node
// The entry only prepares module loading before the program's modules load (static imports would
// load them before this ran):
// - Node's on-disk compile cache (Node >= 22.1): a restart reuses the compiled code of every
//   module instead of compiling it again.
// - Relative imports inside drizzle-orm are resolved here (Node >= 22.15). Node resolves each of a
//   package's ES modules by reading the package's scope, and in doing so parses its "exports" again
//   every time (Node 22–24); drizzle-orm's package.json is 175 KB of exports and the server loads
//   ~500 of its modules, which cost 1–2 s of CPU at every start. Its relative specifiers always
//   name a .js file, and the package is "type": "module", so the URL and format are known here.
import module from 'node:module';

const largeExportsPackages = ['/node_modules/drizzle-orm/'];

module.enableCompileCache?.();
module.registerHooks?.({
  resolve(specifier, context, nextResolve) {
    const parent = context.parentURL;
    if (
      parent?.startsWith('file:') &&
      largeExportsPackages.some((scope) => parent.includes(scope)) &&
      /^\.\.?\//.test(specifier) &&
      specifier.endsWith('.js')
    )
      return { url: new URL(specifier, parent).href, format: 'module', shortCircuit: true };
    return nextResolve(specifier, context);
  },
});
await import('./program.js');
