import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';

/** The current workspace with the signed-in user's role in it. */
export function useCurrentWorkspace() {
  return useQuery({ queryKey: ['workspace'], queryFn: () => unwrap(api.GET('/api/v1/workspace')) });
}

/** Viewers read; every other role may change sites and blueprints. False until the role is known. */
export function useCanEdit(): boolean {
  const role = useCurrentWorkspace().data?.role;
  return role !== undefined && role !== 'viewer';
}
