import { and, count, eq, gt, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { workerProcesses } from '../db/schema/index.js';

export type WorkerProcess = typeof workerProcesses.$inferSelect;

/** The registry of processes that run jobs: their start, heartbeat and clean stop. */
export class ProcessesRepository {
  constructor(private readonly db: Db) {}

  async register(process: Pick<WorkerProcess, 'role' | 'host' | 'pid'>): Promise<WorkerProcess> {
    const [row] = await this.db.insert(workerProcesses).values(process).returning();
    return row!;
  }

  async heartbeat(id: string): Promise<void> {
    await this.db
      .update(workerProcesses)
      .set({ lastSeenAt: sql`now()` })
      .where(eq(workerProcesses.id, id));
  }

  async stopped(id: string): Promise<void> {
    await this.db
      .update(workerProcesses)
      .set({ stoppedAt: sql`now()` })
      .where(eq(workerProcesses.id, id));
  }

  /**
   * How many earlier processes of this role on this host started within `windowMs` and died: no
   * clean stop, and either silent for `deadAfterMs` or with the same pid as the one starting now
   * (a restarted container's process has its predecessor's pid, and two live ones cannot).
   */
  async diedRecently(self: WorkerProcess, windowMs: number, deadAfterMs: number): Promise<number> {
    const [row] = await this.db
      .select({ n: count().mapWith(Number) })
      .from(workerProcesses)
      .where(
        and(
          eq(workerProcesses.host, self.host),
          eq(workerProcesses.role, self.role),
          ne(workerProcesses.id, self.id),
          isNull(workerProcesses.stoppedAt),
          gt(workerProcesses.startedAt, sql`now() - make_interval(secs => ${windowMs / 1000})`),
          or(lt(workerProcesses.lastSeenAt, sql`now() - make_interval(secs => ${deadAfterMs / 1000})`), eq(workerProcesses.pid, self.pid)),
        ),
      );
    return row?.n ?? 0;
  }

  /** Forgets processes that started before `days` ago. */
  async prune(days: number): Promise<void> {
    await this.db.delete(workerProcesses).where(lt(workerProcesses.startedAt, sql`now() - make_interval(days => ${days})`));
  }
}
