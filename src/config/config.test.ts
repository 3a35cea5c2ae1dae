import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('runs on embedded defaults with no variables at all', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(8080);
    expect(config.dataDir).toBe(path.resolve('./data'));
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.LOG_LEVEL).toBe('info');
    expect(config.CORS_ORIGINS).toEqual([]);
  });

  it('names the variable and its value when a port is not a number', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/^Invalid configuration: PORT=abc: /);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT=70000/);
  });

  it('rejects a DATABASE_URL that is not postgres without echoing it', () => {
    const attempt = () => loadConfig({ DATABASE_URL: 'mysql://user:hunter2@db/x' });
    expect(attempt).toThrow(/^Invalid configuration: DATABASE_URL: expected a postgres/);
    expect(attempt).not.toThrow(/hunter2/);
  });

  it('switches to PostgreSQL for a postgres URL and parses CORS origins', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/siteprint',
      CORS_ORIGINS: 'https://a.example, https://b.example',
    });
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/siteprint');
    expect(config.CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
  });

  it('treats empty values as unset and rejects unknown enum values', () => {
    expect(loadConfig({ PORT: '' }).PORT).toBe(8080);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL=loud/);
    expect(() => loadConfig({ NODE_ENV: 'staging' })).toThrow(/NODE_ENV=staging/);
    expect(() => loadConfig({ REDIS_URL: 'localhost:6379' })).toThrow(/REDIS_URL: expected a redis/);
  });

  it('accepts a cron expression as BACKUP_SCHEDULE and names a bad one', () => {
    expect(loadConfig({ BACKUP_SCHEDULE: '0 3 * * *' })).toMatchObject({ BACKUP_SCHEDULE: '0 3 * * *', BACKUP_RETENTION: 7 });
    expect(() => loadConfig({ BACKUP_SCHEDULE: 'nightly' })).toThrow(
      'Invalid configuration: BACKUP_SCHEDULE=nightly: expected a cron expression such as "0 3 * * *"',
    );
    expect(() => loadConfig({ BACKUP_RETENTION: '0' })).toThrow(/BACKUP_RETENTION=0/);
  });
});
