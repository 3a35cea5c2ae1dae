import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * PGlite is single-process: two processes writing one data directory would corrupt it (for
 * example `siteprint migrate` while the server runs). A pid file claims the directory; a pid
 * file left by a crashed process is taken over, so restarting after `kill -9` needs no cleanup.
 */
export function lockDataDirectory(dir: string): () => void {
  const file = path.join(dir, 'siteprint.pid');
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const owner = Number(readFileSync(file, 'utf8'));
    if (owner !== process.pid && isAlive(owner)) {
      throw new Error(
        `the embedded database in ${dir} is in use by process ${owner}; stop it first (or use DATABASE_URL for several processes)`,
      );
    }
    writeFileSync(file, String(process.pid));
  }
  return () => rmSync(file, { force: true });
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
