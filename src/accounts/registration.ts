import { DomainError } from '../domain/errors.js';
import type { RegistrationMode } from '../settings/runtime-settings.js';

/** A self-service sign-up the instance's registration mode does not admit (raised inside the account's transaction). */
export class RegistrationRefusedError extends Error {
  constructor(readonly mode: Exclude<RegistrationMode, 'open'>) {
    super(mode === 'closed' ? 'registration is closed' : 'registration needs an invitation');
    this.name = 'RegistrationRefusedError';
  }
}

/** The problem a refused sign-up answers, by password and OAuth alike. */
export function registrationRefused(error: RegistrationRefusedError): DomainError {
  return error.mode === 'closed'
    ? new DomainError('forbidden', 'This instance does not accept new accounts; ask an administrator', { code: 'registration-closed' })
    : new DomainError(
        'forbidden',
        'This instance accepts new accounts by invitation only; ask a workspace owner to invite this email address',
        {
          code: 'invitation-required',
        },
      );
}
