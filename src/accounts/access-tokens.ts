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
export class AccessTokens {
  private readonly key: Uint8Array;

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
    try {
      // Pinning the algorithm list is what rejects `alg: none` and algorithm-confusion tokens.
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE });
      return payload.sub && typeof payload.sid === 'string' ? { userId: payload.sub, sessionId: payload.sid } : undefined;
    } catch {
      return undefined;
    }
  }
}
