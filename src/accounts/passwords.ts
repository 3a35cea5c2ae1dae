import argon2 from 'argon2';

export const MIN_PASSWORD_LENGTH = 10;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    // A malformed stored hash is a failed verification, never a 500 that tells the two apart.
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * The dummy hash, computed once. Started at start-up on libuv's thread pool without waiting for
 * it (it takes ~0.4 s), so even the first login for an unknown email is not faster than one with a
 * wrong password. A failed computation is forgotten and tried again by the next caller.
 */
export function prepareDummyHash(): Promise<string> {
  dummyHash ??= hashPassword('siteprint-dummy-password-for-timing').catch((error: unknown) => {
    dummyHash = undefined;
    throw error;
  });
  return dummyHash;
}

/**
 * Spends the same argon2 work as a real verification, so a login for an unknown email takes as
 * long as one with a wrong password.
 */
export async function verifyDummyPassword(password: string): Promise<void> {
  await verifyPassword(await prepareDummyHash(), password);
}
