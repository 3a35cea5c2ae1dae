import { jwtVerify, SignJWT } from 'jose';

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
const ISSUER = 'siteprint';
const AUDIENCE = 'siteprint-api';

/** Short-lived HS256 access tokens carrying only the user id; roles are read per request. */
export class AccessTokens {
  private readonly key: Uint8Array;

  constructor(secret: string) {
    this.key = new TextEncoder().encode(secret);
  }

  sign(userId: string): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${ACCESS_TOKEN_TTL_SECONDS}s`)
      .sign(this.key);
  }

  /** The user id, or undefined for any token that is expired, tampered, unsigned or foreign. */
  async verify(token: string): Promise<string | undefined> {
    try {
      // Pinning the algorithm list is what rejects `alg: none` and algorithm-confusion tokens.
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE });
      return payload.sub;
    } catch {
      return undefined;
    }
  }
}
