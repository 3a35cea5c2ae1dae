import type { DestinationStream } from 'pino';

export interface LogQuery {
  /** This level and above (pino's numbers: 30 info, 40 warn, 50 error). */
  minLevel?: number;
  requestId?: string;
  jobId?: string;
  /** Part of the message, any case. */
  text?: string;
  limit: number;
}

export interface LogLine {
  level: number;
  time: string | null;
  msg: string | null;
  requestId: string | null;
  jobId: string | null;
  /** The whole line as logged (after redaction: the ring holds what stdout got). */
  line: Record<string, unknown>;
}

/**
 * The most recent log lines of this process, as a pino destination beside stdout. Lines are kept
 * as the serialised, already-redacted JSON pino wrote, and parsed only when someone searches.
 */
export class LogRing implements DestinationStream {
  private readonly lines: string[] = [];
  private next = 0;

  constructor(readonly capacity: number) {}

  write(line: string): void {
    if (this.lines.length < this.capacity) this.lines.push(line);
    else this.lines[this.next] = line;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Matching lines, newest first. */
  search(query: LogQuery): LogLine[] {
    const found: LogLine[] = [];
    const text = query.text?.toLowerCase();
    for (let i = 1; i <= this.lines.length && found.length < query.limit; i++) {
      const raw = this.lines[(this.next - i + this.lines.length) % this.lines.length]!;
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        continue;
      }
      const entry: LogLine = {
        level: typeof line.level === 'number' ? line.level : 30,
        time: typeof line.time === 'string' ? line.time : null,
        msg: typeof line.msg === 'string' ? line.msg : null,
        requestId: typeof line.requestId === 'string' ? line.requestId : null,
        jobId: typeof line.jobId === 'string' ? line.jobId : null,
        line,
      };
      if (query.minLevel !== undefined && entry.level < query.minLevel) continue;
      if (query.requestId && entry.requestId !== query.requestId) continue;
      if (query.jobId && entry.jobId !== query.jobId) continue;
      if (text && !entry.msg?.toLowerCase().includes(text)) continue;
      found.push(entry);
    }
    return found;
  }
}

/** This process's ring, fed by every logger createLogger builds. */
export const recentLogs = new LogRing(2_000);
