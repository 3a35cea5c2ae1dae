import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
/** The query parameters of a GET endpoint, from the generated types. */
export type QueryOf<Path extends keyof paths> = paths[Path] extends { get: { parameters: { query?: infer Query } } }
  ? NonNullable<Query>
  : never;
export type Problem = Schemas['Problem'];

/** An API answer other than 2xx, carrying its RFC 9457 problem document. */
export class ApiError extends Error {
  /** What the user is asked to quote: the problem's requestId, else the X-Request-Id header of the answer. */
  readonly requestId: string | undefined;

  constructor(
    readonly status: number,
    readonly problem: Partial<Problem>,
    response?: Response,
  ) {
    super(problem.detail ?? problem.title ?? `Request failed (${status})`);
    this.requestId = problem.requestId ?? response?.headers.get('x-request-id') ?? undefined;
  }
}

/**
 * What requests need to know about the signed-in session. The auth provider keeps it current;
 * the token lives in memory only, the refresh token in an httpOnly cookie the browser sends.
 */
export const credentials: {
  accessToken: string | null;
  workspaceId: string | null;
  /** Gets a fresh access token from the refresh cookie; null when the session is gone. */
  refresh: (() => Promise<string | null>) | null;
} = { accessToken: null, workspaceId: null, refresh: null };

const retried = new WeakSet<Request>();
const pendingBodies = new WeakMap<Request, Request>();

const authMiddleware: Middleware = {
  onRequest({ request }) {
    if (credentials.accessToken) request.headers.set('authorization', `Bearer ${credentials.accessToken}`);
    // Listing and creating workspaces acts in none: a remembered workspace the user has since left
    // must not make the list that replaces it fail.
    if (credentials.workspaceId && new URL(request.url).pathname !== '/api/v1/workspaces')
      request.headers.set('x-workspace-id', credentials.workspaceId);
    // Kept so a request that met an expired token can be sent again after a refresh.
    pendingBodies.set(request, request.clone());
    return request;
  },
  async onResponse({ request, response }) {
    const copy = pendingBodies.get(request);
    pendingBodies.delete(request);
    if (response.status !== 401 || !copy || retried.has(copy) || !credentials.refresh || request.url.includes('/api/v1/auth/'))
      return response;
    const token = await credentials.refresh();
    if (!token) return response;
    copy.headers.set('authorization', `Bearer ${token}`);
    retried.add(copy);
    return fetch(copy);
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(authMiddleware);

/** Unwraps an openapi-fetch answer: the data, or an ApiError for TanStack Query to show. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw new ApiError(response.status, (error ?? {}) as Partial<Problem>, response);
  return data as T;
}

/** The first per-field validation message, else the problem's detail: what a form shows. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const first = error.problem.errors?.[0];
    return first ? `${error.message}: ${first.path ? `${first.path.replace(/^\//, '')} ` : ''}${first.message}` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
