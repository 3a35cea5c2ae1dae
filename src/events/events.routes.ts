import type { OutgoingHttpHeaders } from 'node:http';
import { z } from 'zod';
import type { AppInstance } from '../http/app-instance.js';
import type { WorkspaceOf } from '../http/route-context.js';
import type { EventBus } from './event-bus.js';

const HEARTBEAT_MS = 15_000;

/**
 * GET /api/v1/events: Server-Sent Events carrying the workspace's job and site changes, for
 * the live dashboard. Heartbeat comments keep proxies from closing an idle stream.
 */
export function registerEventRoutes(app: AppInstance, deps: { events: EventBus; workspaceOf: WorkspaceOf }): void {
  const open = new Set<() => void>();
  // Closing the server ends open streams instead of waiting for clients to hang up.
  app.addHook('onClose', async () => {
    for (const close of open) close();
  });

  app.get(
    '/api/v1/events',
    {
      config: { permission: 'jobs:read' },
      schema: {
        tags: ['events'],
        summary: 'Live job and site events of the workspace (text/event-stream)',
        response: {
          200: {
            description:
              'A stream of Server-Sent Events that stays open. Each event is `event: <type>` (job.updated, job.log, site.updated, ' +
              "blueprint.updated) and `data: <JSON object>` (the event's data and `at`, an ISO timestamp); comment lines are heartbeats.",
            content: { 'text/event-stream': { schema: z.string() } },
          },
        },
      },
    },
    (request, reply) => {
      const workspaceId = deps.workspaceOf(request);
      reply.hijack();
      const stream = reply.raw;
      // A hijacked reply sends none of the headers the hooks set (security, CORS): they are passed on here.
      stream.writeHead(200, {
        ...(reply.getHeaders() as OutgoingHttpHeaders),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': request.id,
      });
      stream.write(': connected\n\n');
      const unsubscribe = deps.events.subscribe((event) => {
        if (event.workspaceId !== workspaceId) return;
        stream.write(`event: ${event.type}\ndata: ${JSON.stringify({ ...event.data, at: event.at })}\n\n`);
      });
      const heartbeat = setInterval(() => stream.write(': ping\n\n'), HEARTBEAT_MS);
      const stop = () => {
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(close);
      };
      const close = () => {
        stop();
        stream.end();
      };
      open.add(close);
      request.raw.on('close', stop);
    },
  );
}
