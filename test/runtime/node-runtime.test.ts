import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { Packr, isNativeAccelerationEnabled } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/accounts/passwords.js';
import { openDatabase } from '../../src/db/client.js';

// CI runs the suite on more than one Node.js line; this line in the log says which one ran.
console.log(`node ${process.version} (${process.platform}-${process.arch}, ABI ${process.versions.modules})`);

describe('native and WASM dependencies on this Node.js', () => {
  it('argon2 (native addon) hashes and verifies passwords', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(hash, 'correct horse battery')).toBe(true);
    expect(await verifyPassword(hash, 'wrong horse battery')).toBe(false);
  });

  it('PGlite (WASM) opens a data directory, writes and reads back after reopening', async () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'siteprint-runtime-')), 'db');
    const first = await openDatabase({ pgliteDir: dir });
    await first.query(sql`create table runtime_check (n int)`);
    await first.query(sql`insert into runtime_check values (42)`);
    await first.close();
    const second = await openDatabase({ pgliteDir: dir });
    expect(await second.query(sql`select n from runtime_check`)).toEqual([{ n: 42 }]);
    await second.close();
  });

  it('msgpackr (BullMQ encodes job data with it) round-trips with its native extension loaded', () => {
    const packr = new Packr();
    const job = { type: 'analyze_site', payload: { siteId: 'a1', pages: [1, 2, 3] } };
    expect(packr.unpack(packr.pack(job))).toEqual(job);
    // The prebuilt extension ships as an optional package; it must load without the install script.
    expect(isNativeAccelerationEnabled).toBe(true);
  });
});
