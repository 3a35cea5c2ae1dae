import type { OverviewRepository, WorkspaceOverview } from './overview.repository.js';

/** The dashboard's totals for a workspace; "this month" is the calendar month in UTC. */
export class OverviewService {
  constructor(private readonly overview: Pick<OverviewRepository, 'forWorkspace'>) {}

  forWorkspace(workspaceId: string, now = new Date()): Promise<WorkspaceOverview> {
    return this.overview.forWorkspace(workspaceId, new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)));
  }
}
