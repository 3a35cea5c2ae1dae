import { hashPassword } from './passwords.js';
import type { UserRecord, UsersRepository } from './users.repository.js';

/**
 * Makes a system administrator from the command line: creates the account (with its personal
 * workspace) or, when the email exists, promotes it and sets the given password, so an operator
 * locked out of the admin panel can always get back in.
 */
export async function createSystemAdmin(
  users: UsersRepository,
  input: { email: string; name: string; password: string },
): Promise<{ user: UserRecord; created: boolean }> {
  const passwordHash = await hashPassword(input.password);
  const existing = await users.findByEmail(input.email);
  if (existing) return { user: (await users.update(existing.id, { systemAdmin: true, passwordHash }))!, created: false };
  const user = await users.createWithPersonalWorkspace({
    email: input.email,
    name: input.name,
    passwordHash,
    emailVerified: false,
    systemAdmin: true,
  });
  if (!user) throw new Error(`an account for ${input.email} was created at the same moment; run the command again`);
  return { user, created: true };
}
