import { describe, expect, it } from 'vitest';
import { nextRunAfter, validateSchedule } from './schedule.js';

describe('site schedules', () => {
  const from = new Date('2026-11-25T10:15:00Z');

  it('accepts intervals and computes the next run from the last', () => {
    expect(validateSchedule('every 1d')).toEqual({ ok: true });
    expect(nextRunAfter('every 6h', from)?.toISOString()).toBe('2026-11-25T16:15:00.000Z');
    expect(nextRunAfter('every 30m', from)?.toISOString()).toBe('2026-11-25T10:45:00.000Z');
  });

  it('accepts cron expressions evaluated in UTC', () => {
    expect(validateSchedule('0 6 * * *')).toEqual({ ok: true });
    expect(nextRunAfter('0 6 * * *', from)?.toISOString()).toBe('2026-11-26T06:00:00.000Z');
    expect(nextRunAfter('30 */2 * * 1-5', from)?.toISOString()).toBe('2026-11-25T10:30:00.000Z');
  });

  it('refuses nonsense and schedules that would hammer a site', () => {
    expect(validateSchedule('every fortnight')).toMatchObject({ ok: false, reason: expect.stringMatching(/not a duration/) });
    expect(validateSchedule('every 1m')).toMatchObject({ ok: false, reason: expect.stringMatching(/5 minutes/) });
    expect(validateSchedule('* * * * *')).toMatchObject({ ok: false, reason: expect.stringMatching(/5 minutes/) });
    expect(validateSchedule('61 * * * *')).toMatchObject({ ok: false });
    expect(validateSchedule('tomorrow-ish')).toMatchObject({ ok: false });
  });
});
