import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/index.js';
import { resolveJwtSecret } from './jwt-secret.js';

describe('resolveJwtSecret', () => {
  it('generates a secret once, keeps it in DATA_DIR with mode 0600, and reuses it', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'siteprint-secret-'));
    const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir });
    const first = resolveJwtSecret(config);
    expect(first.length).toBeGreaterThanOrEqual(48);
    expect(statSync(path.join(dataDir, 'jwt-secret')).mode & 0o777).toBe(0o600);
    expect(resolveJwtSecret(config)).toBe(first);
  });

  it('uses the configured secret and never echoes it in config errors', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'siteprint-secret-'));
    const secret = 'x'.repeat(40);
    expect(resolveJwtSecret(loadConfig({ DATA_DIR: dataDir, JWT_SECRET: secret }))).toBe(secret);
    expect(() => loadConfig({ JWT_SECRET: 'short-secret' })).toThrow(ConfigError);
    expect(() => loadConfig({ JWT_SECRET: 'short-secret' })).not.toThrow(/short-secret/);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow('Invalid configuration: JWT_SECRET: required when NODE_ENV=production');
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret }).JWT_SECRET).toBe(secret);
  });
});
