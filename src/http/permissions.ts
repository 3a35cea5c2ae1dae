import type { WorkspaceRole } from '../db/schema/index.js';
import type { Permission } from './route-context.js';

const viewer: Permission[] = ['sites:read', 'jobs:read', 'blueprints:read', 'llm:read', 'members:read', 'notifications:read'];
const member: Permission[] = [...viewer, 'sites:write', 'jobs:write', 'blueprints:write'];
const admin: Permission[] = [...member, 'members:manage', 'api-keys:manage', 'llm:manage', 'notifications:manage'];
const owner: Permission[] = [...admin, 'workspace:delete'];

/** The one role → permission table; every authorisation decision reads it. */
export const rolePermissions: Record<WorkspaceRole, ReadonlySet<Permission>> = {
  viewer: new Set(viewer),
  member: new Set(member),
  admin: new Set(admin),
  owner: new Set(owner),
};

/** Platform-wide permissions that come with the system-admin flag, not with a workspace role. */
export const systemAdminPermissions: Permission[] = ['queues:manage', 'system:admin'];

export interface Grant {
  role: WorkspaceRole;
  systemAdmin: boolean;
  /** An API key's scopes; they narrow, never widen, what the role allows. */
  scopes?: readonly string[];
}

export function grantedPermissions({ role, systemAdmin, scopes }: Grant): Set<Permission> {
  const granted = new Set(rolePermissions[role]);
  if (systemAdmin) for (const permission of systemAdminPermissions) granted.add(permission);
  if (scopes) for (const permission of granted) if (!scopes.includes(permission)) granted.delete(permission);
  return granted;
}

export function isAllowed(grant: Grant, permission: Permission): boolean {
  return grantedPermissions(grant).has(permission);
}
