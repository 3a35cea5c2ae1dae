import { timingSafeEqual } from 'node:crypto';
import { sha256 } from './secrets.js';

/**
 * Who registers first on an instance with no system administrator becomes it. The server listens
 * on every interface by default, so that claim needs a one-time setup token which only someone
 * who can read the server's log has. The token lives in `instance_settings`, so every API process
 * of a scaled deployment prints and accepts the same one; it is deleted as soon as an
 * administrator exists, so a database backup holds it only until it has been used.
 */
export const SETUP_TOKEN_SETTING = 'first-admin-setup-token';

export class SetupTokenError extends Error {
  constructor(readonly reason: 'required' | 'invalid') {
    super(reason === 'required' ? 'a setup token is required' : 'the setup token is wrong');
    this.name = 'SetupTokenError';
  }
}

/** Constant-time comparison, so response timing says nothing about how much of a guess was right. */
export function setupTokenMatches(expected: unknown, given: string): boolean {
  return typeof expected === 'string' && timingSafeEqual(Buffer.from(sha256(expected)), Buffer.from(sha256(given)));
}
