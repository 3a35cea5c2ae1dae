import { randomBytes } from 'node:crypto';
import type { WorkspaceRole } from '../db/schema/index.js';
import { DomainError } from '../domain/errors.js';
import { addressKind, checkHost, type Resolver } from '../engine/fetch/index.js';
import { recordNotificationEvent, type NotificationsRepository, type PreferenceRow } from './notifications.repository.js';
import { effectivePreferences } from './preferences.js';

export interface AddressPolicy {
  allowPrivateNetwork: boolean;
  resolver?: Resolver;
}

/** Rules of notification settings: endpoint and channel URLs, secrets, preferences, the in-app list. */
export class NotificationsService {
  constructor(
    private readonly repository: NotificationsRepository,
    private readonly addressPolicy: AddressPolicy,
  ) {}

  /**
   * 422 for a URL whose host resolves to a private address, as for sites: deliveries go through
   * the same guard, so such an endpoint could never receive anything.
   */
  async #refuseBlockedHost(url: string, field: string): Promise<void> {
    if (this.addressPolicy.allowPrivateNetwork) return;
    const host = new URL(url).hostname;
    const check = await checkHost(host, this.addressPolicy.resolver);
    if (check.verdict !== 'blocked') return;
    const why = `${host} resolves to ${check.address}, ${addressKind(check.address)}`;
    throw new DomainError('unprocessable', `${why}, which notifications are never sent to. See ALLOW_PRIVATE_NETWORK.`, {
      code: 'blocked-address',
      issues: [{ in: 'body', path: `/${field}`, message: `${why}; see ALLOW_PRIVATE_NETWORK` }],
    });
  }

  endpoints(workspaceId: string) {
    return this.repository.endpoints(workspaceId);
  }

  async endpoint(workspaceId: string, id: string) {
    const endpoint = await this.repository.endpoint(workspaceId, id);
    if (!endpoint) throw new DomainError('not_found', 'No such webhook endpoint in this workspace');
    return endpoint;
  }

  /** Creates an endpoint with a fresh Standard Webhooks secret (`whsec_` + base64 of 32 random bytes). */
  async createEndpoint(actor: { userId: string; workspaceId: string }, input: { url: string; description?: string; eventTypes: string[] }) {
    await this.#refuseBlockedHost(input.url, 'url');
    return this.repository.createEndpoint({
      workspaceId: actor.workspaceId,
      url: input.url,
      description: input.description ?? '',
      eventTypes: input.eventTypes,
      secret: `whsec_${randomBytes(32).toString('base64')}`,
      createdBy: actor.userId,
    });
  }

  async updateEndpoint(
    workspaceId: string,
    id: string,
    changes: { url?: string; description?: string; eventTypes?: string[]; enabled?: boolean },
  ) {
    if (changes.url) await this.#refuseBlockedHost(changes.url, 'url');
    // Nothing to change: the endpoint as it is (or 404).
    if (!Object.values(changes).some((value) => value !== undefined)) return this.endpoint(workspaceId, id);
    const updated = await this.repository.updateEndpoint(workspaceId, id, {
      ...changes,
      ...(changes.enabled ? { disabledReason: null } : {}),
    });
    if (!updated) throw new DomainError('not_found', 'No such webhook endpoint in this workspace');
    return updated;
  }

  async deleteEndpoint(workspaceId: string, id: string): Promise<void> {
    if (!(await this.repository.deleteEndpoint(workspaceId, id)))
      throw new DomainError('not_found', 'No such webhook endpoint in this workspace');
  }

  /** The endpoint's deliveries, newest first, each with every attempt made at it. */
  async deliveries(workspaceId: string, endpointId: string, limit: number) {
    await this.endpoint(workspaceId, endpointId);
    const rows = await this.repository.endpointDeliveries(endpointId, limit);
    const attempts = await this.repository.attempts(rows.map((row) => row.delivery.id));
    return rows.map((row) => ({ ...row, attempts: attempts.filter((attempt) => attempt.deliveryId === row.delivery.id) }));
  }

  /** Records a `webhook.test` event for this endpoint alone; the relay delivers it like any other. */
  async sendTest(workspaceId: string, endpointId: string): Promise<void> {
    const endpoint = await this.endpoint(workspaceId, endpointId);
    if (!endpoint.enabled) throw new DomainError('conflict', 'The endpoint is disabled; enable it first', { code: 'endpoint-disabled' });
    await recordNotificationEvent(this.repository.db, {
      workspaceId,
      type: 'webhook.test',
      onlyEndpointId: endpoint.id,
      data: { message: 'This is a test event from Siteprint.' },
    });
  }

  /** Sends a delivery again with the same webhook-id, so the receiver can tell it is the same message. */
  async redeliver(workspaceId: string, endpointId: string, deliveryId: string): Promise<void> {
    const endpoint = await this.endpoint(workspaceId, endpointId);
    if (!endpoint.enabled) throw new DomainError('conflict', 'The endpoint is disabled; enable it first', { code: 'endpoint-disabled' });
    const delivery = await this.repository.delivery(deliveryId);
    if (!delivery || delivery.targetId !== endpointId || delivery.workspaceId !== workspaceId)
      throw new DomainError('not_found', 'No such delivery of this endpoint');
    if (!(await this.repository.reopen(deliveryId)))
      throw new DomainError('conflict', 'The delivery is still in progress', { code: 'delivery-in-progress' });
  }

  channels(workspaceId: string) {
    return this.repository.channels(workspaceId);
  }

  async createChannel(workspaceId: string, input: { name: string; url: string; eventTypes: string[] }) {
    await this.#refuseBlockedHost(input.url, 'url');
    return this.repository.createChannel({ workspaceId, kind: 'slack', ...input });
  }

  async deleteChannel(workspaceId: string, id: string): Promise<void> {
    if (!(await this.repository.deleteChannel(workspaceId, id)))
      throw new DomainError('not_found', 'No such notification channel in this workspace');
  }

  /** When the workspace's daily summary goes out. */
  settings(workspaceId: string) {
    return this.repository.workspaceSettings(workspaceId);
  }

  setSettings(
    workspaceId: string,
    changes: { summaryEnabled?: boolean; summaryHour?: number; timeZone?: string; summaryWhenQuiet?: boolean },
  ) {
    return this.repository.setWorkspaceSettings(workspaceId, changes);
  }

  async preferences(workspaceId: string, userId: string, role: WorkspaceRole) {
    return effectivePreferences(role, await this.repository.preferences(this.repository.db, workspaceId, [userId]));
  }

  async setPreferences(
    workspaceId: string,
    userId: string,
    role: WorkspaceRole,
    rows: Array<Pick<PreferenceRow, 'eventType' | 'email' | 'inApp'>>,
  ) {
    await this.repository.setPreferences(userId, workspaceId, rows);
    return this.preferences(workspaceId, userId, role);
  }

  list(workspaceId: string, userId: string, options: { unreadOnly: boolean; limit: number }) {
    return this.repository.inApp(workspaceId, userId, options);
  }

  unreadCount(workspaceId: string, userId: string) {
    return this.repository.unreadCount(workspaceId, userId);
  }

  markRead(workspaceId: string, userId: string, ids: string[] | undefined) {
    return this.repository.markRead(workspaceId, userId, ids, new Date());
  }

  async unsubscribe(token: string): Promise<void> {
    if (!(await this.repository.unsubscribe(token, new Date()))) throw new DomainError('not_found', 'This unsubscribe link is not valid');
  }
}
