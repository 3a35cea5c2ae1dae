import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { z } from 'zod';

/**
 * A Siteprint backup is one gzipped tarball:
 *   manifest.json       what the archive holds (below)
 *   database.tar.gz     PGlite: the data directory (`dumpDataDir`)
 *   database.pgdump     PostgreSQL: `pg_dump --format=custom`
 *   files/<name>        instance files kept beside the database (the generated JWT secret)
 */
export const BACKUP_FORMAT = 'siteprint-backup';

export const manifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  formatVersion: z.literal(1),
  database: z.enum(['pglite', 'postgres']),
  createdAt: z.iso.datetime(),
  siteprintVersion: z.string(),
  /** Migrations applied in the database when it was dumped; a newer backup than the build cannot be restored. */
  migrations: z.number().int().nonnegative(),
  files: z.array(z.string().regex(/^[\w.-]+$/)),
});
export type BackupManifest = z.infer<typeof manifestSchema>;

export const DATABASE_ENTRY = { pglite: 'database.tar.gz', postgres: 'database.pgdump' } as const;

/** A directory to assemble or unpack an archive in; removed by `dispose`. */
export async function scratchDirectory(): Promise<{ dir: string; dispose(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'siteprint-backup-'));
  return { dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Packs `dir` (which holds the database entry and `files/`) with its manifest into `out`. The
 * archive is written beside `out` and renamed into place, so a crash never leaves half a backup
 * under the final name.
 */
export async function writeArchive(dir: string, manifest: BackupManifest, out: string): Promise<void> {
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  const entries = ['manifest.json', DATABASE_ENTRY[manifest.database], ...manifest.files.map((name) => `files/${name}`)];
  const partial = `${out}.partial`;
  try {
    await tar.create({ gzip: true, file: partial, cwd: dir, portable: true }, entries);
    await rename(partial, out);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

export class InvalidBackupError extends Error {}

/** Unpacks an archive into `dir` and returns its validated manifest. */
export async function readArchive(file: string, dir: string): Promise<BackupManifest> {
  try {
    // tar refuses absolute paths and `..` by default; only the entries a backup has are taken.
    await tar.extract({ file, cwd: dir, filter: (entry) => /^(manifest\.json|database\.(tar\.gz|pgdump)|files\/[\w.-]+)$/.test(entry) });
  } catch (error) {
    throw new InvalidBackupError(`${file} is not a Siteprint backup (${error instanceof Error ? error.message : String(error)})`);
  }
  const raw = await readFile(path.join(dir, 'manifest.json'), 'utf8').catch(() => undefined);
  if (raw === undefined) throw new InvalidBackupError(`${file} is not a Siteprint backup (no manifest.json)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new InvalidBackupError(`${file} has an unreadable manifest.json`);
  }
  const manifest = manifestSchema.safeParse(parsed);
  if (!manifest.success) throw new InvalidBackupError(`${file} has an invalid manifest.json: ${manifest.error.issues[0]!.message}`);
  return manifest.data;
}
