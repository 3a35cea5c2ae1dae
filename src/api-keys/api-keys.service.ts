import { randomToken, sha256 } from '../accounts/secrets.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import { DomainError, domainErrors } from '../domain/errors.js';
import type { Permission } from '../http/route-context.js';
import type { Actor } from '../workspaces/workspaces.service.js';
import type { ApiKeyRecord, ApiKeysRepository } from './api-keys.repository.js';

export const API_KEY_PREFIX = 'sp_';
/** Characters of the secret kept in clear, enough to tell keys apart in a list. */
const SHOWN_PREFIX_LENGTH = API_KEY_PREFIX.length + 6;

export interface CreatedApiKey {
  key: ApiKeyRecord;
  secret: string;
}

export class ApiKeysService {
  readonly prefix = API_KEY_PREFIX;

  constructor(private readonly deps: { apiKeys: ApiKeysRepository; audit: AuditRepository }) {}

  /**
   * Creates a key. Its scopes must be permissions the creator holds right now, so a key can never
   * do more than the person (or key) that made it.
   */
  async create(
    actor: Actor,
    granted: ReadonlySet<Permission>,
    input: { name: string; scopes: Permission[]; expiresAt?: Date },
  ): Promise<CreatedApiKey> {
    const beyond = input.scopes.filter((scope) => !granted.has(scope));
    if (beyond.length > 0) {
      throw new DomainError('forbidden', `You cannot grant scopes you do not hold: ${beyond.join(', ')}`, { code: 'forbidden' });
    }
    if (input.expiresAt && input.expiresAt <= new Date()) {
      throw domainErrors.invalid('expiresAt must be in the future', [{ in: 'body', path: '/expiresAt', message: 'must be in the future' }]);
    }
    const secret = randomToken(API_KEY_PREFIX);
    const key = await this.deps.apiKeys.insert({
      workspaceId: actor.workspaceId,
      createdBy: actor.userId,
      name: input.name,
      prefix: secret.slice(0, SHOWN_PREFIX_LENGTH),
      keyHash: sha256(secret),
      scopes: [...new Set(input.scopes)],
      expiresAt: input.expiresAt ?? null,
    });
    await this.audit(actor, 'api-key.created', key.id, { name: key.name, scopes: key.scopes });
    return { key, secret };
  }

  list(workspaceId: string): Promise<ApiKeyRecord[]> {
    return this.deps.apiKeys.list(workspaceId);
  }

  async revoke(actor: Actor, id: string): Promise<void> {
    if (!(await this.deps.apiKeys.revoke(actor.workspaceId, id))) throw domainErrors.notFound('API key');
    await this.audit(actor, 'api-key.revoked', id);
  }

  /** The active, unexpired key for a presented secret; records when it was last used. */
  async authenticate(secret: string): Promise<ApiKeyRecord | undefined> {
    const key = await this.deps.apiKeys.findByHash(sha256(secret));
    const now = new Date();
    if (!key || key.revokedAt || (key.expiresAt && key.expiresAt <= now)) return undefined;
    await this.deps.apiKeys.touch(key.id, now);
    return key;
  }

  private audit(actor: Actor, action: 'api-key.created' | 'api-key.revoked', keyId: string, details?: Record<string, unknown>) {
    return this.deps.audit.append({
      action,
      actorUserId: actor.userId,
      workspaceId: actor.workspaceId,
      target: `api-key:${keyId}`,
      details,
      ip: actor.ip,
      userAgent: actor.userAgent,
    });
  }
}
