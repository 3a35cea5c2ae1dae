import { ApiError, credentials } from '../api/client';

/** Downloads an authenticated API file (exports, results) through a temporary object URL. */
export async function downloadFile(path: string, filename: string): Promise<void> {
  const headers: Record<string, string> = {};
  if (credentials.accessToken) headers.authorization = `Bearer ${credentials.accessToken}`;
  if (credentials.workspaceId) headers['x-workspace-id'] = credentials.workspaceId;
  const response = await fetch(path, { headers });
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => ({})), response);
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement('a'), { href: url, download: filename });
  link.click();
  URL.revokeObjectURL(url);
}
