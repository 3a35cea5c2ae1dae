import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/** What the client needs to reach a server: its URL and an API key. */
export interface Profile {
  server?: string;
  apiKey?: string;
}

export interface ConfigFile {
  /** The profile used when none is named (`--profile`, SITEPRINT_PROFILE). */
  defaultProfile?: string;
  profiles: Record<string, Profile>;
}

/** Bad flags, a missing server or key, an unsafe config file: exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** SITEPRINT_CONFIG, else `$XDG_CONFIG_HOME/siteprint/config.json`, else `~/.config/siteprint/config.json`. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SITEPRINT_CONFIG) return env.SITEPRINT_CONFIG;
  const base = env.XDG_CONFIG_HOME || path.join(homedir(), '.config');
  return path.join(base, 'siteprint', 'config.json');
}

/**
 * The config file, or an empty one when there is none. It holds API keys, so a file that others
 * than its owner can read or write is refused (as ssh refuses such a key) rather than used.
 */
export function readConfig(file: string): ConfigFile {
  if (!existsSync(file)) return { profiles: {} };
  const mode = statSync(file).mode & 0o777;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0)
    throw new UsageError(`${file} is accessible to other users (mode ${mode.toString(8)}); run: chmod 600 ${file}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const config = parsed as Partial<ConfigFile>;
  if (!config || typeof config !== 'object' || (config.profiles !== undefined && typeof config.profiles !== 'object'))
    throw new UsageError(`${file} must be an object with "profiles"`);
  return { ...config, profiles: config.profiles ?? {} };
}

/** Writes the file readable by its owner only (0600, in a 0700 directory), replacing it atomically. */
export function writeConfig(file: string, config: ConfigFile): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}

export interface ConnectionFlags {
  server?: string;
  apiKey?: string;
  profile?: string;
}

export interface Connection {
  server: string;
  apiKey: string;
}

/** The profile a command acts with: `--profile`, SITEPRINT_PROFILE, the file's default, else "default". */
export function profileName(flags: ConnectionFlags, config: ConfigFile, env: NodeJS.ProcessEnv = process.env): string {
  return flags.profile ?? env.SITEPRINT_PROFILE ?? config.defaultProfile ?? 'default';
}

/** Flags win over the environment (SITEPRINT_URL, SITEPRINT_API_KEY), which wins over the profile. */
export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Connection {
  const file = configPath(env);
  const config = readConfig(file);
  const name = profileName(flags, config, env);
  const named = flags.profile ?? env.SITEPRINT_PROFILE;
  const profile = config.profiles[name];
  if (named && !profile) throw new UsageError(`no profile "${name}" in ${file}`);
  const server = flags.server ?? env.SITEPRINT_URL ?? profile?.server;
  const apiKey = flags.apiKey ?? env.SITEPRINT_API_KEY ?? profile?.apiKey;
  if (!server) throw new UsageError('no server: pass --server URL, set SITEPRINT_URL, or run "config set --server URL --api-key KEY"');
  if (!apiKey) throw new UsageError('no API key: pass --api-key, set SITEPRINT_API_KEY, or run "config set --api-key KEY"');
  if (!URL.canParse(server)) throw new UsageError(`server "${server}" is not a URL (e.g. http://localhost:3000)`);
  return { server, apiKey };
}
