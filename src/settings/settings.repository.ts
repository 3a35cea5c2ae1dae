import { eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { instanceSettings } from '../db/schema/index.js';

export interface InstanceSetting {
  key: string;
  value: unknown;
  updatedAt: Date;
}

export class SettingsRepository {
  constructor(private readonly db: Db) {}

  async get(key: string): Promise<InstanceSetting | undefined> {
    const [row] = await this.db.select().from(instanceSettings).where(eq(instanceSettings.key, key));
    return row;
  }

  async set(key: string, value: unknown): Promise<InstanceSetting> {
    const now = new Date();
    const [row] = await this.db
      .insert(instanceSettings)
      .values({ key, value, updatedAt: now })
      .onConflictDoUpdate({ target: instanceSettings.key, set: { value, updatedAt: now } })
      .returning();
    return row!;
  }

  async getMany(keys: string[]): Promise<InstanceSetting[]> {
    if (!keys.length) return [];
    return this.db.select().from(instanceSettings).where(inArray(instanceSettings.key, keys));
  }

  /** Stores several values in one transaction, all or none; a null value removes its key (back to the default). */
  async setMany(entries: Array<{ key: string; value: unknown }>): Promise<void> {
    const now = new Date();
    await this.db.transaction(async (tx) => {
      for (const { key, value } of entries) {
        if (value === null) {
          await tx.delete(instanceSettings).where(eq(instanceSettings.key, key));
          continue;
        }
        await tx
          .insert(instanceSettings)
          .values({ key, value, updatedAt: now })
          .onConflictDoUpdate({ target: instanceSettings.key, set: { value, updatedAt: now } });
      }
    });
  }

  /** Stores the value unless the key exists; returns what is stored either way (one winner across processes). */
  async setIfAbsent(key: string, value: unknown): Promise<InstanceSetting> {
    const [inserted] = await this.db.insert(instanceSettings).values({ key, value }).onConflictDoNothing().returning();
    return inserted ?? (await this.get(key))!;
  }

  async delete(key: string): Promise<void> {
    await this.db.delete(instanceSettings).where(eq(instanceSettings.key, key));
  }

  async list(): Promise<InstanceSetting[]> {
    return this.db.select().from(instanceSettings).orderBy(instanceSettings.key);
  }
}
