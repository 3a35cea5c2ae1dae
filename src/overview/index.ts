export { OverviewRepository, type WorkspaceOverview } from './overview.repository.js';
export { registerOverviewRoutes } from './overview.routes.js';
export { OverviewService } from './overview.service.js';
