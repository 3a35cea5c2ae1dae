import { and, asc, count, eq, gt, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { workerProcesses } from '../db/schema/index.js';

export type WorkerProcess = typeof workerProcesses.$inferSelect;

/** The registry of processes that run jobs: their start, heartbeat and clean stop. */
export class ProcessesRepository {
  constructor(private readonly db: Db) {}

  async register(
    process: Pick<WorkerProcess, 'role' | 'queue' | 'host' | 'pid' | 'version' | 'concurrency'> & Partial<Pick<WorkerProcess, 'startedAt'>>,
  ): Promise<WorkerProcess> {
    const [row] = await this.db.insert(workerProcesses).values(process).returning();
    return row!;
  }

  /** The process is alive, running this many jobs now. */
  async heartbeat(id: string, jobsRunning: number, at?: Date): Promise<void> {
    await this.db
      .update(workerProcesses)
      .set({ lastSeenAt: at ?? sql`now()`, jobsRunning })
      .where(eq(workerProcesses.id, id));
  }

  async stopped(id: string): Promise<void> {
    await this.db
      .update(workerProcesses)
      .set({ stoppedAt: sql`now()`, jobsRunning: 0 })
      .where(eq(workerProcesses.id, id));
  }

  /** Processes that did not stop cleanly and were heard of within `forgetAfterMs`: the running ones, and the dead not yet forgotten. */
  unstopped(forgetAfterMs: number): Promise<WorkerProcess[]> {
    return this.db
      .select()
      .from(workerProcesses)
      .where(
        and(isNull(workerProcesses.stoppedAt), gt(workerProcesses.lastSeenAt, sql`now() - make_interval(secs => ${forgetAfterMs / 1000})`)),
      )
      .orderBy(asc(workerProcesses.startedAt), asc(workerProcesses.id));
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
