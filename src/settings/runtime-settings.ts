import { z } from 'zod';
import type { SettingsRepository } from './settings.repository.js';

/** Who may create an account: anyone, only people with a pending invitation, or nobody (administrators still create accounts). */
export const registrationModes = ['open', 'invite-only', 'closed'] as const;
export type RegistrationMode = (typeof registrationModes)[number];

/**
 * The settings an administrator changes at runtime, each under its own `instance_settings` key with
 * the schema its stored value must have. Secrets never live here: they stay in the environment.
 */
const definitions = {
  registrationMode: { key: 'registration-mode', schema: z.enum(registrationModes), fallback: 'open' as RegistrationMode },
  /** Provider names allowed to sign in (of those configured); null allows every configured one. */
  allowedOAuthProviders: { key: 'oauth-providers', schema: z.array(z.string()).nullable(), fallback: null as string[] | null },
  /** The monthly LLM budget of workspaces that set none; null falls back to LLM_MONTHLY_BUDGET_USD. */
  llmDefaultMonthlyBudgetUsd: {
    key: 'llm-default-budget-usd',
    schema: z.number().nonnegative().nullable(),
    fallback: null as number | null,
  },
};

export type RuntimeSettingName = keyof typeof definitions;
export type RuntimeSettingValues = { [Name in RuntimeSettingName]: (typeof definitions)[Name]['fallback'] };

export const RUNTIME_SETTING_NAMES = Object.keys(definitions) as RuntimeSettingName[];

/**
 * Runtime settings, read from the database each time they are used: one primary-key read on rare
 * paths (registration, OAuth, an LLM call's budget check), so every API process and worker sees a
 * change at once and there is no cache to keep true. A stored value that no longer fits its schema
 * reads as the default.
 */
export class RuntimeSettings {
  constructor(private readonly repository: SettingsRepository) {}

  async get<Name extends RuntimeSettingName>(name: Name): Promise<RuntimeSettingValues[Name]> {
    const definition = definitions[name];
    const stored = await this.repository.get(definition.key);
    return parse(name, stored?.value);
  }

  async all(): Promise<RuntimeSettingValues> {
    const stored = new Map(
      (await this.repository.getMany(RUNTIME_SETTING_NAMES.map((name) => definitions[name].key))).map((row) => [row.key, row.value]),
    );
    return Object.fromEntries(
      RUNTIME_SETTING_NAMES.map((name) => [name, parse(name, stored.get(definitions[name].key))]),
    ) as RuntimeSettingValues;
  }

  /** Stores the given settings in one transaction; values are validated by the caller's schema. */
  async set(values: Partial<RuntimeSettingValues>): Promise<void> {
    const entries = RUNTIME_SETTING_NAMES.filter((name) => values[name] !== undefined).map((name) => ({
      key: definitions[name].key,
      value: values[name],
    }));
    if (entries.length) await this.repository.setMany(entries);
  }
}

function parse<Name extends RuntimeSettingName>(name: Name, value: unknown): RuntimeSettingValues[Name] {
  const definition = definitions[name];
  const parsed = value === undefined ? undefined : definition.schema.safeParse(value);
  return (parsed?.success ? parsed.data : definition.fallback) as RuntimeSettingValues[Name];
}
