import { createRequire } from 'node:module';
import type OpenAI from 'openai';
import { z } from 'zod';

export const DEFAULT_LLM_BASE_URL = 'https://openrouter.ai/api/v1';

/** USD per million tokens. */
export interface ModelPrice {
  prompt: number;
  completion: number;
}
export type PriceTable = Record<string, ModelPrice>;

/** Where a call happened, so the platform can attribute its cost (workspace, site, job are the platform's). */
export interface LlmCallContext {
  step: string;
  [key: string]: string | undefined;
}

export interface LlmUsage {
  model: string;
  step: string;
  context: LlmCallContext;
  promptTokens: number;
  completionTokens: number;
  /** Provider-reported cost when present, else from the price table, else null (unknown price). */
  costUsd: number | null;
  costSource: 'provider' | 'price-table' | 'unknown';
  latencyMs: number;
  status: 'ok' | 'error';
  error: string | null;
}

/** Supplied by the platform (DB rows, logs); the engine stays storage-free. */
export type UsageRecorder = (usage: LlmUsage) => void | Promise<void>;

/** Asked before every call; a refusal stops LLM use and the caller falls back to heuristics. */
export interface BudgetGuard {
  check(context: LlmCallContext): Promise<{ allowed: true } | { allowed: false; reason: string }>;
}

export type LlmErrorKind = 'budget' | 'invalid_output' | 'timeout' | 'http' | 'network';

export class LlmError extends Error {
  /** Calls made before the failure (they may have been billed). */
  usage: LlmUsage[] = [];

  constructor(
    readonly kind: LlmErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'LlmError';
  }
}

export interface LlmClientOptions {
  apiKey: string;
  baseUrl?: string;
  model: string;
  timeoutMs?: number;
  /** Retries of 429/5xx/timeouts by the SDK, with exponential backoff honouring Retry-After. */
  maxRetries?: number;
  prices?: PriceTable;
  recorder?: UsageRecorder;
  budget?: BudgetGuard;
}

export interface StructuredRequest<T> {
  /** Schema name sent to the provider (letters, digits, _ and -). */
  name: string;
  schema: z.ZodType<T>;
  system: string;
  user: string;
  context: LlmCallContext;
}

interface ProviderUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  /** OpenRouter's extension: what the call was billed, in USD. */
  cost?: number;
}

// The SDK loads with the first client: without an LLM key no client is made, and the server,
// which imports the engine, need not load it.
const require = createRequire(import.meta.url);
let sdk: typeof OpenAI | undefined;
const openAi = () => (sdk ??= (require('openai') as { OpenAI: typeof OpenAI }).OpenAI);

export class LlmClient {
  readonly model: string;
  readonly #sdk: OpenAI;
  readonly #prices: PriceTable;
  readonly #recorder: UsageRecorder | undefined;
  readonly #budget: BudgetGuard | undefined;

  constructor(options: LlmClientOptions) {
    this.model = options.model;
    const OpenAI = openAi();
    this.#sdk = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseUrl ?? DEFAULT_LLM_BASE_URL,
      timeout: options.timeoutMs ?? 60_000,
      maxRetries: options.maxRetries ?? 3,
    });
    this.#prices = options.prices ?? {};
    this.#recorder = options.recorder;
    this.#budget = options.budget;
  }

  /**
   * One structured answer: the provider is asked for JSON matching the zod schema; an answer that is not
   * valid JSON or fails the schema gets one repair turn quoting the error, then an LlmError('invalid_output').
   */
  async structured<T>(request: StructuredRequest<T>): Promise<{ value: T; usage: LlmUsage[] }> {
    const jsonSchema = z.toJSONSchema(request.schema, { target: 'draft-7' }) as Record<string, unknown>;
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      { role: 'system', content: request.system },
      { role: 'user', content: request.user },
    ];
    const usage: LlmUsage[] = [];
    let lastProblem = '';
    for (let attempt = 0; attempt < 2; attempt++) {
      let content: string;
      try {
        content = await this.#complete(messages, request.name, jsonSchema, { ...request.context }, usage);
      } catch (error) {
        const failure = toLlmError(error);
        failure.usage = usage;
        throw failure;
      }
      const parsed = parseAnswer(content, request.schema);
      if (parsed.ok) return { value: parsed.value, usage };
      lastProblem = parsed.problem;
      messages.push(
        { role: 'assistant', content },
        { role: 'user', content: `That answer is invalid: ${parsed.problem}. Reply again with only JSON matching the schema.` },
      );
    }
    const failure = new LlmError('invalid_output', `The model's answer did not match ${request.name} after one repair: ${lastProblem}`);
    failure.usage = usage;
    throw failure;
  }

  async #complete(
    messages: OpenAI.ChatCompletionMessageParam[],
    name: string,
    schema: Record<string, unknown>,
    context: LlmCallContext,
    usage: LlmUsage[],
  ): Promise<string> {
    if (this.#budget) {
      const verdict = await this.#budget.check(context);
      if (!verdict.allowed) throw new LlmError('budget', verdict.reason);
    }
    const started = performance.now();
    try {
      const completion = await this.#sdk.chat.completions.create({
        model: this.model,
        messages,
        temperature: 0,
        response_format: { type: 'json_schema', json_schema: { name, schema, strict: true } },
      });
      usage.push(await this.#record(context, started, (completion.usage ?? {}) as ProviderUsage, null));
      return completion.choices[0]?.message.content ?? '';
    } catch (error) {
      const failure = toLlmError(error);
      // A failed call may still have been billed for its prompt; the usage is unknown, the attempt is recorded.
      usage.push(await this.#record(context, started, {}, failure));
      throw failure;
    }
  }

  async #record(context: LlmCallContext, started: number, usage: ProviderUsage, error: LlmError | null): Promise<LlmUsage> {
    const promptTokens = usage.prompt_tokens ?? 0;
    const completionTokens = usage.completion_tokens ?? 0;
    const price = this.#prices[this.model];
    const fromProvider = typeof usage.cost === 'number';
    const costUsd = fromProvider
      ? usage.cost!
      : price
        ? (promptTokens * price.prompt + completionTokens * price.completion) / 1_000_000
        : error
          ? 0
          : null;
    const record: LlmUsage = {
      model: this.model,
      step: context.step,
      context,
      promptTokens,
      completionTokens,
      costUsd,
      costSource: fromProvider ? 'provider' : price ? 'price-table' : 'unknown',
      latencyMs: Math.round(performance.now() - started),
      status: error ? 'error' : 'ok',
      error: error ? `${error.kind}: ${error.message}` : null,
    };
    await this.#recorder?.(record);
    return record;
  }
}

function parseAnswer<T>(content: string, schema: z.ZodType<T>): { ok: true; value: T } | { ok: false; problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(stripFence(content));
  } catch (error) {
    return { ok: false, problem: `not JSON (${(error as Error).message})` };
  }
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problem: z.prettifyError(result.error).replaceAll('\n', '; ') };
}

/** Some models wrap JSON in a Markdown fence even when asked for a schema. */
function stripFence(content: string): string {
  const match = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/.exec(content);
  return match ? match[1]! : content;
}

function toLlmError(error: unknown): LlmError {
  if (error instanceof LlmError) return error;
  // Only a client's calls fail here, so the SDK is loaded.
  const OpenAI = openAi();
  if (error instanceof OpenAI.APIConnectionTimeoutError) return new LlmError('timeout', 'The LLM provider did not answer in time');
  if (error instanceof OpenAI.APIError && error.status !== undefined) {
    return new LlmError('http', `The LLM provider answered ${error.status}`, error.status);
  }
  return new LlmError('network', `The LLM provider could not be reached: ${(error as Error).message}`);
}

export const PriceTableSchema = z.record(z.string(), z.object({ prompt: z.number().nonnegative(), completion: z.number().nonnegative() }));
