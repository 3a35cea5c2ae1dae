import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { backoffDelayMs } from '../queue/job-runner.js';
import { deliveryBackoffBaseMs, MAX_ATTEMPTS, retrySchedule } from './relay.js';

const HOUR = 3_600_000;
const base = deliveryBackoffBaseMs(loadConfig({ NODE_ENV: 'test' }).NOTIFY_WEBHOOK_RETRY_WINDOW_MS);

describe('the retry schedule of notification deliveries', () => {
  it("tries a failing webhook for about 24 hours by default, with the queue's own backoff", () => {
    const schedule = retrySchedule('webhook', base);
    expect(schedule).toHaveLength(MAX_ATTEMPTS.webhook);
    expect(schedule[0]).toBe(0);
    // Each wait doubles the one before.
    for (let i = 2; i < schedule.length; i++)
      expect(schedule[i]! - schedule[i - 1]!).toBeCloseTo(2 * (schedule[i - 1]! - schedule[i - 2]!));
    const last = schedule.at(-1)!;
    expect(last).toBeCloseTo(24 * HOUR);
    // The queue's delays, jitter and all, add up to the same day (jitter adds at most 10 %).
    let waited = 0;
    for (let attempt = 1; attempt < MAX_ATTEMPTS.webhook; attempt++) waited += backoffDelayMs(attempt, base);
    expect(waited).toBeGreaterThanOrEqual(last - MAX_ATTEMPTS.webhook);
    expect(waited).toBeLessThanOrEqual(last * 1.1 + MAX_ATTEMPTS.webhook);
  });

  it('spans whatever window NOTIFY_WEBHOOK_RETRY_WINDOW_MS sets', () => {
    expect(retrySchedule('webhook', deliveryBackoffBaseMs(3_000)).at(-1)).toBeCloseTo(3_000);
  });

  it('gives up on email and Slack within minutes, not a day', () => {
    for (const channel of ['email', 'slack'] as const) {
      const last = retrySchedule(channel, base).at(-1)!;
      expect(last).toBeGreaterThan(60_000);
      expect(last).toBeLessThan(15 * 60_000);
    }
  });
});
