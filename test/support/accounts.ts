import { expect } from 'vitest';
import type { AppInstance } from '../../src/http/app-instance.js';
import { setupTokenOf } from './app.js';

export const PASSWORD = 'correct horse battery';

export interface TestUser {
  id: string;
  email: string;
  accessToken: string;
  refreshToken: string;
  /** The personal workspace the account was created with. */
  workspaceId: string;
  headers: Record<string, string>;
}

/**
 * Registers and signs in a user through the public API, as a client would. The setup token the
 * app printed goes along, as the operator registering first would give it: the first account
 * becomes the administrator, later ones ignore it.
 */
export async function signUp(app: AppInstance, email: string, password = PASSWORD): Promise<TestUser> {
  const setupToken = setupTokenOf(app);
  const registered = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { email, name: email.split('@')[0], password, ...(setupToken ? { setupToken } : {}) },
  });
  expect(registered.statusCode, registered.body).toBe(201);
  const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
  expect(login.statusCode, login.body).toBe(200);
  const session = login.json<{ accessToken: string; refreshToken: string; user: { id: string } }>();
  const headers = { authorization: `Bearer ${session.accessToken}` };
  const workspace = await app.inject({ method: 'GET', url: '/api/v1/workspace', headers });
  expect(workspace.statusCode, workspace.body).toBe(200);
  return {
    id: session.user.id,
    email,
    accessToken: session.accessToken,
    refreshToken: session.refreshToken,
    workspaceId: workspace.json<{ id: string }>().id,
    headers,
  };
}
