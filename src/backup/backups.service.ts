import path from 'node:path';
import { Cron } from 'croner';
import { and, eq, sql } from 'drizzle-orm';
import type { AuditRepository } from '../audit/audit.repository.js';
import type { Config } from '../config/index.js';
import type { Database } from '../db/client.js';
import { instanceSettings } from '../db/schema/index.js';
import { DomainError, domainErrors } from '../domain/errors.js';
import type { Logger } from '../logging/logger.js';
import { createBackup } from './backup.service.js';
import { BackupStore, type BackupFile } from './backup-store.js';

export type BackupTrigger = 'manual' | 'scheduled';

/** The last scheduled slot some process claimed; the compare-and-set on it elects one runner per slot. */
const LAST_SLOT_SETTING = 'backup.lastScheduledSlot';

export function backupStoreFor(config: Config): BackupStore {
  return new BackupStore(
    config.BACKUP_DIR ? path.resolve(config.BACKUP_DIR) : path.join(config.dataDir, 'backups'),
    config.BACKUP_RETENTION,
  );
}

/** Backups taken by the running server: on demand by a system administrator, or on BACKUP_SCHEDULE. */
export class BackupsService {
  private running: Promise<BackupFile> | undefined;
  private cron: Cron | undefined;

  constructor(private readonly deps: { database: Database; config: Config; store: BackupStore; audit: AuditRepository; logger: Logger }) {}

  get schedule(): string | null {
    return this.deps.config.BACKUP_SCHEDULE ?? null;
  }

  get retention(): number {
    return this.deps.config.BACKUP_RETENTION;
  }

  list(): Promise<BackupFile[]> {
    return this.deps.store.list();
  }

  pathOf(name: string): Promise<string | undefined> {
    return this.deps.store.pathOf(name);
  }

  /** Takes a backup now; one at a time per process (a second request while one runs is a 409). */
  async run(trigger: BackupTrigger, actorUserId?: string): Promise<BackupFile> {
    if (this.running) throw domainErrors.conflict('A backup is already running; try again when it has finished', 'backup-running');
    this.running = this.take(trigger, actorUserId);
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  private async take(trigger: BackupTrigger, actorUserId: string | undefined): Promise<BackupFile> {
    const { database, config, store, audit, logger } = this.deps;
    const started = Date.now();
    const file = await store.reserve();
    const name = path.basename(file);
    try {
      await createBackup(database, config, file);
      const pruned = await store.prune();
      const taken = (await store.list()).find((backup) => backup.name === name)!;
      await audit.append({
        action: 'backup.created',
        actorUserId,
        target: `backup:${name}`,
        details: { trigger, sizeBytes: taken.sizeBytes, durationMs: Date.now() - started, pruned },
      });
      logger.info({ backup: name, trigger, sizeBytes: taken.sizeBytes, pruned }, 'backup written');
      return taken;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      await audit.append({ action: 'backup.failed', actorUserId, target: `backup:${name}`, details: { trigger, error: reason } });
      logger.error({ err: error, backup: name, trigger }, 'backup failed');
      throw error;
    }
  }

  /**
   * Runs BACKUP_SCHEDULE in this process. Every API process runs it in scaled mode; a slot is
   * claimed in the database first, so each scheduled time produces one backup.
   */
  start(): void {
    const pattern = this.deps.config.BACKUP_SCHEDULE;
    if (!pattern || this.cron) return;
    this.cron = new Cron(pattern, { protect: true }, async (job) => {
      const slot = (job.currentRun() ?? new Date()).toISOString();
      try {
        if (await this.claim(slot)) await this.run('scheduled');
      } catch (error) {
        // Already audited and logged by take(); a failed claim is logged here.
        if (!(error instanceof DomainError)) this.deps.logger.error({ err: error }, 'scheduled backup did not run');
      }
    });
  }

  stop(): void {
    this.cron?.stop();
    this.cron = undefined;
  }

  nextScheduledRun(): Date | null {
    return this.cron?.nextRun() ?? null;
  }

  private async claim(slot: string): Promise<boolean> {
    const { db } = this.deps.database;
    await db.insert(instanceSettings).values({ key: LAST_SLOT_SETTING, value: '' }).onConflictDoNothing();
    const claimed = await db
      .update(instanceSettings)
      .set({ value: slot, updatedAt: new Date() })
      .where(and(eq(instanceSettings.key, LAST_SLOT_SETTING), sql`(${instanceSettings.value} #>> '{}') < ${slot}`))
      .returning({ key: instanceSettings.key });
    return claimed.length === 1;
  }
}
