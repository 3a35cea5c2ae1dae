import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';

export interface BackupFile {
  name: string;
  sizeBytes: number;
  createdAt: Date;
}

/** Names the store writes; anything else in the directory is neither listed, served nor pruned. */
const BACKUP_NAME = /^siteprint-\d{8}T\d{9}Z-[0-9a-f]{6}\.tar\.gz$/;

/** The directory of an instance's backups, newest first, kept to a retention count. */
export class BackupStore {
  constructor(
    readonly dir: string,
    private readonly retention: number,
  ) {}

  /** The last stamp this store handed out: backups reserved within one millisecond still sort in order. */
  private lastStampMs = 0;

  /**
   * A fresh file name: its UTC time of creation to the millisecond (so name order is creation order,
   * which retention relies on), then a random suffix so two processes never collide.
   */
  async reserve(now = new Date()): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    this.lastStampMs = Math.max(now.getTime(), this.lastStampMs + 1);
    const stamp = new Date(this.lastStampMs).toISOString().replace(/[-:.]/g, '');
    return path.join(this.dir, `siteprint-${stamp}-${randomBytes(3).toString('hex')}.tar.gz`);
  }

  async list(): Promise<BackupFile[]> {
    if (!existsSync(this.dir)) return [];
    const names = (await readdir(this.dir)).filter((name) => BACKUP_NAME.test(name));
    const files = await Promise.all(
      names.map(async (name) => {
        const info = await stat(path.join(this.dir, name));
        return { name, sizeBytes: info.size, createdAt: info.mtime };
      }),
    );
    // The name starts with its UTC time, so name order is time order.
    return files.sort((a, b) => b.name.localeCompare(a.name));
  }

  /** The path of a listed backup; undefined for any other name (no way out of the directory). */
  async pathOf(name: string): Promise<string | undefined> {
    if (!BACKUP_NAME.test(name)) return undefined;
    const file = path.join(this.dir, name);
    return existsSync(file) ? file : undefined;
  }

  /** Deletes the backups beyond the retention count, oldest first; returns their names. */
  async prune(): Promise<string[]> {
    const expired = (await this.list()).slice(this.retention);
    for (const file of expired) await rm(path.join(this.dir, file.name), { force: true });
    return expired.map((file) => file.name);
  }
}
