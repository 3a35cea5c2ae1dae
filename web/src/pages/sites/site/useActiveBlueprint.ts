import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../../api/client';

/** The site's active blueprint version, cached per version id so a new version refetches. */
export function useActiveBlueprint(site: Schemas['SiteDetail']) {
  return useQuery({
    queryKey: ['site', site.id, 'blueprint', site.activeBlueprint?.id],
    queryFn: () => unwrap(api.GET('/api/v1/sites/{id}/blueprint', { params: { path: { id: site.id } } })),
    enabled: Boolean(site.activeBlueprint),
  });
}
