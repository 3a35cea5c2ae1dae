import { Cron } from 'croner';
import ms from 'ms';

/** Checks more frequent than this would hammer watched sites; the API refuses them. */
export const MIN_INTERVAL_MS = 5 * 60 * 1000;
export const DEFAULT_SCHEDULE = 'every 1d';

export type ScheduleCheck = { ok: true } | { ok: false; reason: string };

const intervalPattern = /^every\s+(\S+)$/i;

/**
 * A site's schedule is either an interval (`every 30m`, `every 6h`, `every 1d`) or a cron
 * expression (`0 6 * * *`, evaluated in UTC).
 */
export function validateSchedule(schedule: string): ScheduleCheck {
  const interval = intervalPattern.exec(schedule.trim());
  if (interval) {
    const length = ms(interval[1] as ms.StringValue);
    if (typeof length !== 'number' || !Number.isFinite(length) || length <= 0) {
      return { ok: false, reason: `"${interval[1]}" is not a duration such as 30m, 6h or 1d` };
    }
    if (length < MIN_INTERVAL_MS) return { ok: false, reason: 'checks may run at most every 5 minutes' };
    return { ok: true };
  }
  try {
    const cron = new Cron(schedule, { timezone: 'UTC', paused: true });
    const [first, second] = cron.nextRuns(2);
    if (!first || !second) return { ok: false, reason: 'the cron expression never fires' };
    if (second.getTime() - first.getTime() < MIN_INTERVAL_MS) return { ok: false, reason: 'checks may run at most every 5 minutes' };
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: `not an interval ("every 6h") or a cron expression: ${(error as Error).message}` };
  }
}

/** When a schedule fires next after `from`; null when it never does. */
export function nextRunAfter(schedule: string, from: Date): Date | null {
  const interval = intervalPattern.exec(schedule.trim());
  if (interval) return new Date(from.getTime() + ms(interval[1] as ms.StringValue));
  return new Cron(schedule, { timezone: 'UTC', paused: true }).nextRun(from);
}
