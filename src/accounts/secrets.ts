import { createHash, randomBytes } from 'node:crypto';

/** 256 bits of randomness, URL-safe: refresh tokens, invitation tokens and API key secrets. */
export function randomToken(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url');
}

/**
 * High-entropy tokens are looked up by their sha256 hash: a leaked table reveals nothing
 * usable, and unlike passwords they need no slow hash because they cannot be guessed.
 */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
