import { z } from 'zod';
import { MIN_PASSWORD_LENGTH } from './passwords.js';
import type { UserRecord } from './users.repository.js';

const email = z.email({ message: 'expected an email address' }).max(320);
const password = z
  .string()
  .min(MIN_PASSWORD_LENGTH, { message: `must be at least ${MIN_PASSWORD_LENGTH} characters` })
  .max(1024);
const name = z.string().trim().min(1).max(200);

export const registerBody = z
  .object({
    email,
    name,
    password,
    setupToken: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe(
        'Required while the instance has no administrator: the one-time token printed in the server log at start. That registration becomes the system administrator; later ones ignore it.',
      ),
  })
  .strict();
export const loginBody = z.object({ email, password: z.string().min(1).max(1024) }).strict();
/** The body may be omitted when the refresh token travels in the httpOnly cookie. */
export const refreshBody = z
  .object({ refreshToken: z.string().min(1).max(512).optional() })
  .strict()
  .nullish();
export const updateMeBody = z
  .object({
    name: name.optional(),
    currentPassword: z.string().min(1).max(1024).optional(),
    newPassword: password.optional(),
  })
  .strict()
  .refine((body) => body.name !== undefined || body.newPassword !== undefined, {
    message: 'send name and/or newPassword',
  })
  // The refinement, in the document's terms.
  .meta({ anyOf: [{ required: ['name'] }, { required: ['newPassword'] }] });

export const userSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    emailVerified: z.boolean(),
    systemAdmin: z.boolean(),
    hasPassword: z.boolean(),
    passwordChangeRequired: z
      .boolean()
      .describe(
        'An administrator reset the password: until it is changed (PATCH /api/v1/auth/me with currentPassword and newPassword), other signed-in calls answer 403 password-change-required',
      ),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'User' });

export const sessionSchema = z
  .object({
    accessToken: z.string().describe('JWT (HS256), valid 15 minutes'),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().describe('Seconds until the access token expires'),
    refreshToken: z.string().describe('Opaque, single use, valid 30 days; also set as an httpOnly cookie'),
    refreshExpiresAt: z.iso.datetime(),
    user: userSchema,
  })
  .meta({ id: 'Session' });

export function toUser(user: UserRecord): z.infer<typeof userSchema> {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    emailVerified: user.emailVerified,
    systemAdmin: user.systemAdmin,
    hasPassword: user.passwordHash !== null,
    passwordChangeRequired: user.passwordChangeRequired,
    createdAt: user.createdAt.toISOString(),
  };
}
