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

/** Computes the dummy hash ahead of the first login, so even that one is not slower for unknown emails. */
export function prepareDummyHash(): Promise<string> {
  dummyHash ??= hashPassword('siteprint-dummy-password-for-timing');
  return dummyHash;
}

/**
 * Spends the same argon2 work as a real verification, so a login for an unknown email takes as
 * long as one with a wrong password.
 */
export async function verifyDummyPassword(password: string): Promise<void> {
  await verifyPassword(await prepareDummyHash(), password);
}
