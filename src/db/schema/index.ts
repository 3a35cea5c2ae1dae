// Every table of the product. drizzle-kit reads this file to generate migrations.
export * from './instance-settings.js';
export * from './jobs.js';
export * from './sites.js';
export * from './idempotency-keys.js';
export * from './accounts.js';
export * from './workspaces.js';
export * from './audit-log.js';
export * from './extraction-results.js';
export * from './llm-requests.js';
export * from './analytics.js';
export * from './plans.js';
export * from './usage.js';
export * from './notifications.js';
export * from './processes.js';
