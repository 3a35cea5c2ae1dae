import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReportFormat } from '../db/schema/index.js';

export const CONTENT_TYPES: Record<ReportFormat, string> = {
  pdf: 'application/pdf',
  csv: 'text/csv',
  json: 'application/json',
  ndjson: 'application/x-ndjson',
};

/** Report files under DATA_DIR/reports/<workspace>/<report>.<format>. */
export class ReportFiles {
  constructor(private readonly dataDir: string) {}

  pathOf(report: { id: string; workspaceId: string; format: ReportFormat }): string {
    return path.join(this.dataDir, 'reports', report.workspaceId, `${report.id}.${report.format}`);
  }

  /** Streams the chunks to the report's file; it appears whole (renamed from a temporary name) or not at all. */
  async write(
    report: { id: string; workspaceId: string; format: ReportFormat },
    chunks: AsyncIterable<string | Buffer> | Iterable<string | Buffer>,
  ): Promise<number> {
    const target = this.pathOf(report);
    const partial = `${target}.partial`;
    await mkdir(path.dirname(target), { recursive: true });
    try {
      await pipeline(Readable.from(chunks), createWriteStream(partial));
      await rename(partial, target);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    return (await stat(target)).size;
  }

  read(report: { id: string; workspaceId: string; format: ReportFormat }) {
    return createReadStream(this.pathOf(report));
  }

  async remove(report: { id: string; workspaceId: string; format: ReportFormat }): Promise<void> {
    await rm(this.pathOf(report), { force: true });
  }
}
