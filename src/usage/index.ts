export { ApiRateLimits } from './api-rate-limits.js';
export { quotaLimitsSchema, type EffectiveLimits, type QuotaLimits } from './quota-limits.js';
export { QuotasService, type UsageReport } from './quotas.service.js';
export { registerUsageRoutes } from './usage.routes.js';
export { UsageRepository } from './usage.repository.js';
