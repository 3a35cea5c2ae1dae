import { jwtVerify, SignJWT } from 'jose';

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
const ISSUER = 'siteprint';
const AUDIENCE = 'siteprint-api';

/** Who an access token speaks for: the user, and the session (refresh-token family) it was issued to. */
export interface AccessTokenClaims {
  userId: string;
  sessionId: string;
}

/**
 * Short-lived HS256 access tokens carrying the user id and the session id; roles are read per
 * request, and the session must still be live (see the auth hook), so logout ends them at once.
 */
/** Verified tokens remembered per process; beyond this many, the oldest are forgotten first. */
const VERIFIED_CACHE_SIZE = 10_000;

export class AccessTokens {
  private readonly key: Uint8Array;
  /**
   * Tokens whose signature and claims were verified, with their expiry: a token is immutable, so
   * verifying it once per process is enough (HMAC through WebCrypto costs more than the rest of a
   * small request). Only the signature check is saved; the auth hook still asks the database
   * whether the session is live on every request.
   */
  private readonly verified = new Map<string, AccessTokenClaims & { expiresAt: number }>();

  constructor(secret: string) {
    this.key = new TextEncoder().encode(secret);
  }

  sign({ userId, sessionId }: AccessTokenClaims): Promise<string> {
    return new SignJWT({ sid: sessionId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${ACCESS_TOKEN_TTL_SECONDS}s`)
      .sign(this.key);
  }

  /** The claims, or undefined for any token that is expired, tampered, unsigned, foreign or without a session. */
  async verify(token: string): Promise<AccessTokenClaims | undefined> {
    const known = this.verified.get(token);
    if (known) {
      if (Date.now() < known.expiresAt) return { userId: known.userId, sessionId: known.sessionId };
      this.verified.delete(token);
      return undefined;
    }
    try {
      // Pinning the algorithm list is what rejects `alg: none` and algorithm-confusion tokens.
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE });
      if (!payload.sub || typeof payload.sid !== 'string' || typeof payload.exp !== 'number') return undefined;
      const claims = { userId: payload.sub, sessionId: payload.sid };
      if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, { ...claims, expiresAt: payload.exp * 1000 });
      return claims;
    } catch {
      return undefined;
    }
  }
}
