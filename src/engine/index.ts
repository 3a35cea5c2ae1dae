// The engine's public API: pure functions over pages, fields and options. No DB, no HTTP server.
export { leadingBaseUrl, readPagesDir, type PageInput } from './pages.js';
export * from './blueprint/index.js';
export * from './extract/index.js';
export * from './selectors/index.js';
export * from './testing/index.js';
