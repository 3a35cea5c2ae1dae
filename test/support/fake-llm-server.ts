import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted reply of the fake OpenAI-compatible server. */
export type FakeReply =
  | { content: string; promptTokens?: number; completionTokens?: number; /** OpenRouter-style usage.cost */ cost?: number }
  | { status: number; retryAfter?: string; body?: unknown }
  | { hang: true };

export interface ReceivedRequest {
  at: number;
  authorization: string | undefined;
  body: {
    model: string;
    messages: { role: string; content: string }[];
    response_format?: { type: string; json_schema?: { name: string; schema: Record<string, unknown>; strict?: boolean } };
  };
}

export interface FakeLlmServer {
  baseUrl: string;
  received: ReceivedRequest[];
  /** Replies used in order, one per request; a request beyond the script goes to the responder, else answers 500. */
  script(...replies: FakeReply[]): void;
  /** Answers requests the script does not cover from their content (e.g. by the schema asked for); undefined: 500. */
  respond(responder: ((request: ReceivedRequest) => FakeReply | undefined) | null): void;
  /** Sum of usage.cost over the successful replies sent: what the "provider" billed. */
  billedUsd(): number;
  close(): Promise<void>;
}

/** Real HTTP on 127.0.0.1 speaking POST /chat/completions like OpenAI/OpenRouter, with scripted answers. */
export async function startFakeLlmServer(): Promise<FakeLlmServer> {
  const queue: FakeReply[] = [];
  const received: ReceivedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  let billed = 0;
  let responder: ((request: ReceivedRequest) => FakeReply | undefined) | null = null;

  const server = createServer((request, response) => {
    void handle(request, response);
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.method !== 'POST' || request.url !== '/chat/completions') {
      response.writeHead(404).end();
      return;
    }
    const entry: ReceivedRequest = {
      at: Date.now(),
      authorization: request.headers.authorization,
      body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReceivedRequest['body'],
    };
    received.push(entry);
    const reply = queue.shift() ?? responder?.(entry) ?? { status: 500, body: { error: { message: 'fake LLM server: script exhausted' } } };
    if ('hang' in reply) {
      hanging.add(response);
      response.on('close', () => hanging.delete(response));
      return;
    }
    if ('status' in reply) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (reply.retryAfter !== undefined) headers['retry-after'] = reply.retryAfter;
      response.writeHead(reply.status, headers).end(JSON.stringify(reply.body ?? { error: { message: `status ${reply.status}` } }));
      return;
    }
    const promptTokens = reply.promptTokens ?? 100;
    const completionTokens = reply.completionTokens ?? 20;
    if (reply.cost !== undefined) billed += reply.cost;
    const model = received.at(-1)!.body.model;
    response.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: `fake-${received.length}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model,
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: reply.content } }],
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: completionTokens,
          total_tokens: promptTokens + completionTokens,
          ...(reply.cost !== undefined ? { cost: reply.cost } : {}),
        },
      }),
    );
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    received,
    script: (...replies) => void queue.push(...replies),
    respond: (next) => {
      responder = next;
    },
    billedUsd: () => billed,
    close: async () => {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
