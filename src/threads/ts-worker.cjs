// Worker entry for TypeScript task modules (under tsx or vitest, never from dist/): a worker thread
// does not inherit its parent's TypeScript loader, so this loads the module given in workerData
// through tsx. Piscina awaits the export it looks up, so each name resolves once the module has loaded.
'use strict';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS so that piscina's require() gets the proxy below
const { workerData } = require('node:worker_threads');

const loaded = import('tsx/esm/api').then((api) => api.tsImport(workerData.taskModule, __filename));

module.exports = new Proxy({}, { get: (_, name) => (typeof name === 'string' ? loaded.then((tasks) => tasks[name]) : undefined) });
