import { z } from 'zod';
import { emailModes, notificationEventTypes } from '../db/schema/index.js';
import type { AppInstance } from '../http/app-instance.js';
import { authOf } from '../http/auth.js';
import { problemResponses } from '../http/problem.js';
import type {
  Delivery,
  DeliveryAttempt,
  InAppNotification,
  NotificationChannel,
  WebhookEndpoint,
  WorkspaceNotificationSettings,
} from './notifications.repository.js';
import type { NotificationsService } from './notifications.service.js';

/** Bodies here are small settings; anything bigger is refused with 413 before parsing. */
const BODY_LIMIT = 16 * 1024;

const eventType = z.enum(notificationEventTypes);
const subscribedTypes = z
  .array(z.union([eventType, z.literal('*')]))
  .min(1)
  .max(notificationEventTypes.length + 1);
const httpsOrHttpUrl = z
  .url({ protocol: /^https?$/, message: 'expected an http(s) URL' })
  .max(2000)
  // An unparsable URL is reported by the check above; this one only looks at parsable ones.
  .refine((url) => !URL.canParse(url) || (!new URL(url).username && !new URL(url).password), 'credentials do not belong in the URL');

const endpointSchema = z
  .object({
    id: z.uuid(),
    url: z.string(),
    description: z.string(),
    eventTypes: z.array(z.string()),
    enabled: z.boolean(),
    disabledReason: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'WebhookEndpoint' });
const createdEndpointSchema = endpointSchema
  .extend({ secret: z.string().describe('whsec_…; the signing secret, shown only in this response') })
  .meta({ id: 'CreatedWebhookEndpoint' });
const attemptSchema = z
  .object({
    attempt: z.number().int().describe('1 for the first try; counts on across redeliveries'),
    outcome: z.enum(['delivered', 'failed']),
    responseStatus: z.number().int().nullable(),
    latencyMs: z.number().int().nullable(),
    responseExcerpt: z.string().nullable(),
    error: z.string().nullable(),
    startedAt: z.iso.datetime(),
  })
  .meta({ id: 'WebhookDeliveryAttempt' });
const deliverySchema = z
  .object({
    id: z.uuid().describe('Also the webhook-id header: the same on every retry and redelivery'),
    eventId: z.uuid(),
    eventType: z.string(),
    status: z.enum(['pending', 'sending', 'retrying', 'delivered', 'failed']),
    attempts: z.number().int(),
    responseStatus: z.number().int().nullable(),
    latencyMs: z.number().int().nullable(),
    responseExcerpt: z.string().nullable(),
    error: z.string().nullable(),
    createdAt: z.iso.datetime(),
    lastAttemptAt: z.iso.datetime().nullable(),
    deliveredAt: z.iso.datetime().nullable(),
    attemptLog: z.array(attemptSchema).describe('Every finished attempt, oldest first (the fields above are the latest)'),
  })
  .meta({ id: 'WebhookDelivery' });
const channelSchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(['slack']),
    name: z.string(),
    url: z.string(),
    eventTypes: z.array(z.string()),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'NotificationChannel' });
const preferenceSchema = z.object({ eventType, email: z.enum(emailModes), inApp: z.boolean() }).meta({ id: 'NotificationPreference' });
const notificationSchema = z
  .object({
    id: z.uuid(),
    type: z.string(),
    title: z.string(),
    link: z.string().nullable(),
    read: z.boolean(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Notification' });

/** An IANA time zone name the runtime knows (`Europe/Berlin`, `UTC`); offsets and abbreviations are not zones. */
const timeZone = z
  .string()
  .max(100)
  .refine((name) => {
    if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name)) return false;
    try {
      new Intl.DateTimeFormat('en', { timeZone: name });
      return true;
    } catch {
      return false;
    }
  }, 'expected an IANA time zone such as Europe/Berlin');
const settingsSchema = z
  .object({
    summaryEnabled: z.boolean().describe('Whether the workspace gets a daily summary'),
    summaryHour: z.number().int().min(0).max(23).describe("The hour on the time zone's clock the summary goes out"),
    timeZone: z.string().describe('IANA time zone of the summary hour'),
    summaryWhenQuiet: z.boolean().describe('Also on days nothing happened'),
  })
  .meta({ id: 'NotificationSettings' });
const toSettings = (settings: WorkspaceNotificationSettings) => ({
  summaryEnabled: settings.summaryEnabled,
  summaryHour: settings.summaryHour,
  timeZone: settings.timeZone,
  summaryWhenQuiet: settings.summaryWhenQuiet,
});

const queued = z.object({ queued: z.literal(true) }).describe('Recorded; the relay delivers it within moments');

const iso = (date: Date | null) => date?.toISOString() ?? null;
const toEndpoint = (endpoint: WebhookEndpoint) => ({
  id: endpoint.id,
  url: endpoint.url,
  description: endpoint.description,
  eventTypes: endpoint.eventTypes,
  enabled: endpoint.enabled,
  disabledReason: endpoint.disabledReason,
  createdAt: endpoint.createdAt.toISOString(),
});
const toDelivery = ({ delivery, eventType, attempts }: { delivery: Delivery; eventType: string; attempts: DeliveryAttempt[] }) => ({
  id: delivery.id,
  eventId: delivery.eventId,
  eventType,
  status: delivery.status,
  attempts: delivery.attempts,
  responseStatus: delivery.responseStatus,
  latencyMs: delivery.latencyMs,
  responseExcerpt: delivery.responseExcerpt,
  error: delivery.lastError,
  createdAt: delivery.createdAt.toISOString(),
  lastAttemptAt: iso(delivery.lastAttemptAt),
  deliveredAt: iso(delivery.deliveredAt),
  attemptLog: attempts.map((attempt) => ({
    attempt: attempt.attempt,
    outcome: attempt.outcome,
    responseStatus: attempt.responseStatus,
    latencyMs: attempt.latencyMs,
    responseExcerpt: attempt.responseExcerpt,
    error: attempt.error,
    startedAt: attempt.startedAt.toISOString(),
  })),
});
const toChannel = (channel: NotificationChannel) => ({
  id: channel.id,
  kind: channel.kind,
  name: channel.name,
  url: channel.url,
  eventTypes: channel.eventTypes,
  createdAt: channel.createdAt.toISOString(),
});
const toNotification = (item: InAppNotification) => ({
  id: item.id,
  type: item.type,
  title: item.title,
  link: item.link,
  read: item.readAt !== null,
  createdAt: item.createdAt.toISOString(),
});

/**
 * Notification settings and the in-app list. Endpoints, channels and the daily summary are the
 * workspace's, managed by its owners and admins (`notifications:manage`); preferences and the
 * bell are each member's own (`notifications:read`, every role).
 */
export function registerNotificationRoutes(app: AppInstance, { service }: { service: NotificationsService }): void {
  const manage = { permission: 'notifications:manage' as const };
  const own = { permission: 'notifications:read' as const };
  const endpointParams = z.object({ endpointId: z.uuid() });

  app.get(
    '/api/v1/webhooks',
    {
      config: manage,
      schema: {
        tags: ['notifications'],
        summary: 'Webhook endpoints of the workspace',
        response: { 200: z.object({ items: z.array(endpointSchema) }) },
      },
    },
    async (request) => ({ items: (await service.endpoints(authOf(request).workspaceId)).map(toEndpoint) }),
  );

  app.post(
    '/api/v1/webhooks',
    {
      config: manage,
      bodyLimit: BODY_LIMIT,
      schema: {
        tags: ['notifications'],
        summary: 'Add a webhook endpoint',
        description:
          'Payloads are signed the Standard Webhooks way with the returned secret (shown once). The URL must not resolve to a private address unless the server allows it (422).',
        body: z.object({ url: httpsOrHttpUrl, description: z.string().max(500).optional(), eventTypes: subscribedTypes }).strict(),
        response: { 201: createdEndpointSchema, ...problemResponses(413, 422) },
      },
    },
    async (request, reply) => {
      const endpoint = await service.createEndpoint(authOf(request), request.body);
      return reply.status(201).send({ ...toEndpoint(endpoint), secret: endpoint.secret });
    },
  );

  app.patch(
    '/api/v1/webhooks/:endpointId',
    {
      config: manage,
      bodyLimit: BODY_LIMIT,
      schema: {
        tags: ['notifications'],
        summary: 'Change or re-enable a webhook endpoint',
        params: endpointParams,
        body: z
          .object({
            url: httpsOrHttpUrl.optional(),
            description: z.string().max(500).optional(),
            eventTypes: subscribedTypes.optional(),
            enabled: z.boolean().optional(),
          })
          .strict(),
        response: { 200: endpointSchema, ...problemResponses(404, 413, 422) },
      },
    },
    async (request) => toEndpoint(await service.updateEndpoint(authOf(request).workspaceId, request.params.endpointId, request.body)),
  );

  app.delete(
    '/api/v1/webhooks/:endpointId',
    {
      config: manage,
      schema: {
        tags: ['notifications'],
        summary: 'Remove a webhook endpoint',
        params: endpointParams,
        response: { 204: z.null(), ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      await service.deleteEndpoint(authOf(request).workspaceId, request.params.endpointId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/webhooks/:endpointId/deliveries',
    {
      config: manage,
      schema: {
        tags: ['notifications'],
        summary: 'Delivery log of a webhook endpoint, newest first',
        params: endpointParams,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
        response: { 200: z.object({ items: z.array(deliverySchema) }), ...problemResponses(404) },
      },
    },
    async (request) => ({
      items: (await service.deliveries(authOf(request).workspaceId, request.params.endpointId, request.query.limit)).map(toDelivery),
    }),
  );

  app.post(
    '/api/v1/webhooks/:endpointId/test',
    {
      config: manage,
      schema: {
        tags: ['notifications'],
        summary: 'Send a test event to the endpoint',
        params: endpointParams,
        response: { 202: queued, ...problemResponses(404, 409) },
      },
    },
    async (request, reply) => {
      await service.sendTest(authOf(request).workspaceId, request.params.endpointId);
      return reply.status(202).send({ queued: true as const });
    },
  );

  app.post(
    '/api/v1/webhooks/:endpointId/deliveries/:deliveryId/redeliver',
    {
      config: manage,
      schema: {
        tags: ['notifications'],
        summary: 'Send a finished delivery again (same webhook-id)',
        params: endpointParams.extend({ deliveryId: z.uuid() }),
        response: { 202: queued, ...problemResponses(404, 409) },
      },
    },
    async (request, reply) => {
      await service.redeliver(authOf(request).workspaceId, request.params.endpointId, request.params.deliveryId);
      return reply.status(202).send({ queued: true as const });
    },
  );

  app.get(
    '/api/v1/notification-channels',
    {
      config: manage,
      schema: {
        tags: ['notifications'],
        summary: 'Slack channels of the workspace',
        response: { 200: z.object({ items: z.array(channelSchema) }) },
      },
    },
    async (request) => ({ items: (await service.channels(authOf(request).workspaceId)).map(toChannel) }),
  );

  app.post(
    '/api/v1/notification-channels',
    {
      config: manage,
      bodyLimit: BODY_LIMIT,
      schema: {
        tags: ['notifications'],
        summary: 'Add a Slack incoming webhook',
        body: z
          .object({ kind: z.literal('slack'), name: z.string().trim().min(1).max(200), url: httpsOrHttpUrl, eventTypes: subscribedTypes })
          .strict(),
        response: { 201: channelSchema, ...problemResponses(413, 422) },
      },
    },
    async (request, reply) => {
      const { name, url, eventTypes } = request.body;
      return reply.status(201).send(toChannel(await service.createChannel(authOf(request).workspaceId, { name, url, eventTypes })));
    },
  );

  app.delete(
    '/api/v1/notification-channels/:channelId',
    {
      config: manage,
      schema: {
        tags: ['notifications'],
        summary: 'Remove a channel',
        params: z.object({ channelId: z.uuid() }),
        response: { 204: z.null(), ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      await service.deleteChannel(authOf(request).workspaceId, request.params.channelId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/notification-settings',
    {
      config: own,
      schema: {
        tags: ['notifications'],
        summary: "The workspace's daily summary settings",
        response: { 200: settingsSchema },
      },
    },
    async (request) => toSettings(await service.settings(authOf(request).workspaceId)),
  );

  app.put(
    '/api/v1/notification-settings',
    {
      config: manage,
      bodyLimit: BODY_LIMIT,
      schema: {
        tags: ['notifications'],
        summary: "Change the workspace's daily summary settings",
        description: 'Fields left out keep their value. The summary covers the 24 hours before the chosen hour on the chosen clock.',
        body: z
          .object({
            summaryEnabled: z.boolean().optional(),
            summaryHour: z.number().int().min(0).max(23).optional(),
            timeZone: timeZone.optional(),
            summaryWhenQuiet: z.boolean().optional(),
          })
          .strict(),
        response: { 200: settingsSchema, ...problemResponses(413) },
      },
    },
    async (request) => toSettings(await service.setSettings(authOf(request).workspaceId, request.body)),
  );

  const preferencesResponse = z.object({ items: z.array(preferenceSchema) });
  app.get(
    '/api/v1/notification-preferences',
    {
      config: own,
      schema: {
        tags: ['notifications'],
        summary: 'Your notification preferences in this workspace (defaults where unset)',
        response: { 200: preferencesResponse },
      },
    },
    async (request) => {
      const { workspaceId, userId, role } = authOf(request);
      return { items: await service.preferences(workspaceId, userId, role) };
    },
  );

  app.put(
    '/api/v1/notification-preferences',
    {
      config: own,
      bodyLimit: BODY_LIMIT,
      schema: {
        tags: ['notifications'],
        summary: 'Set your preferences for some event types',
        description: 'email: off, immediate, or digest (left out of immediate email, listed in the daily summary).',
        body: z.object({ items: z.array(preferenceSchema).min(1).max(notificationEventTypes.length) }).strict(),
        response: { 200: preferencesResponse, ...problemResponses(413) },
      },
    },
    async (request) => {
      const { workspaceId, userId, role } = authOf(request);
      return { items: await service.setPreferences(workspaceId, userId, role, request.body.items) };
    },
  );

  app.get(
    '/api/v1/notifications',
    {
      config: own,
      schema: {
        tags: ['notifications'],
        summary: 'Your in-app notifications, newest first',
        querystring: z.object({
          unread: z.enum(['true', 'false']).default('false'),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ items: z.array(notificationSchema), unread: z.number().int() }) },
      },
    },
    async (request) => {
      const { workspaceId, userId } = authOf(request);
      const [items, unread] = await Promise.all([
        service.list(workspaceId, userId, { unreadOnly: request.query.unread === 'true', limit: request.query.limit }),
        service.unreadCount(workspaceId, userId),
      ]);
      return { items: items.map(toNotification), unread };
    },
  );

  app.get(
    '/api/v1/notifications/unread-count',
    {
      config: own,
      schema: {
        tags: ['notifications'],
        summary: 'How many of your notifications are unread',
        response: { 200: z.object({ unread: z.number().int() }) },
      },
    },
    async (request) => ({ unread: await service.unreadCount(authOf(request).workspaceId, authOf(request).userId) }),
  );

  app.post(
    '/api/v1/notifications/read',
    {
      config: own,
      bodyLimit: BODY_LIMIT,
      schema: {
        tags: ['notifications'],
        summary: 'Mark notifications read (all of them without ids)',
        body: z.object({ ids: z.array(z.uuid()).min(1).max(200).optional() }).strict(),
        response: { 200: z.object({ marked: z.number().int() }), ...problemResponses(413) },
      },
    },
    async (request) => ({ marked: await service.markRead(authOf(request).workspaceId, authOf(request).userId, request.body.ids) }),
  );

  app.get(
    '/api/v1/notifications/unsubscribe',
    {
      config: { public: true },
      schema: {
        tags: ['notifications'],
        summary: "Turn off every notification email of the link's recipient (the link in each email)",
        querystring: z.object({ token: z.string().min(10).max(100) }),
        response: { 200: z.object({ unsubscribed: z.literal(true) }), ...problemResponses(404) },
      },
    },
    async (request) => {
      await service.unsubscribe(request.query.token);
      return { unsubscribed: true as const };
    },
  );
}
