import { constants, promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { chain, verifyChain, type ChainReport, type Chained } from '../audit/chain.js';
import { BackendError } from '../core/errors.js';
import type { AuditRecord } from '../audit/audit-record.js';
import type { AuditLog as AuditLogPort } from '../core/ports.js';

type AuditLog = AuditLogPort<AuditRecord, ChainReport>;
import { pidAlive, TORN_GRACE_MS } from './file-lock.js';
import { appendJsonl, readJsonl } from './jsonl.js';

/** One appender at a time (another secret's rotation may append now): `<log>.lock`, O_EXCL, a dead holder's lock recovered. */
async function withAppendLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const lock = `${path}.lock`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const fh = await fs.open(lock, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW, 0o600);
      await fh.write(String(process.pid));
      await fh.close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number((await fs.readFile(lock, 'utf8').catch(() => '')).trim());
      const st = await fs.stat(lock).catch(() => null);
      // a holder that died (or a lock left empty for long) is stale
      if ((holder > 0 && !pidAlive(holder)) || (!(holder > 0) && st && Date.now() - st.mtimeMs > TORN_GRACE_MS)) {
        await fs.rm(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new BackendError('AUDIT_LOCKED', `the audit log ${path} stayed locked by pid ${holder} for 15 s`, { hint: `if no rekey is running, remove ${lock}` });
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  try {
    return await fn();
  } finally {
    await fs.rm(lock, { force: true });
  }
}

/** the last complete record of the log (read from its tail), or null */
async function lastRecord(path: string): Promise<Chained | null> {
  let fh;
  try {
    fh = await fs.open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const { size } = await fh.stat();
    for (let span = 64 * 1024; ; span *= 4) {
      const start = Math.max(0, size - span);
      const buf = Buffer.alloc(size - start);
      await fh.read(buf, 0, buf.length, start);
      const lines = buf.toString('utf8').split('\n');
      // the last line after the final newline is a torn tail (or empty): skip it
      const complete = lines.slice(start === 0 ? 0 : 1, -1).filter((l) => l.trim() !== '');
      // a line that is not JSON (damage `audit verify` reports) does not stop the log: the chain
      // goes on from the last record that reads
      for (let i = complete.length - 1; i >= 0; i--) {
        try {
          const r = JSON.parse(complete[i]!) as unknown;
          if (r && typeof r === 'object') return r as Chained;
        } catch {
          // damaged: look further back
        }
      }
      if (start === 0) return null;
    }
  } finally {
    await fh.close();
  }
}

/**
 * Append-only, fsync'd JSONL audit log (fingerprints only: the record type carries no values),
 * hash-chained: every record carries seq, prev and hash (src/audit/chain.ts), appended under a
 * lock so two rekey processes never fork the chain.
 */
export type FileAuditLog = AuditLog & { verify(): Promise<ChainReport>; appendChained(r: AuditRecord): Promise<AuditRecord & Required<Chained>> };

/** the files of the log, oldest first: rotated ones (`audit.jsonl.<last seq, 10 digits>`), then the live one */
async function logFiles(path: string): Promise<string[]> {
  const dir = dirname(path);
  const base = path.slice(dir.length + 1);
  const rotated = (await fs.readdir(dir).catch(() => [] as string[])).filter((n) => n.startsWith(`${base}.`) && /^\d{10}$/.test(n.slice(base.length + 1))).sort();
  return [...rotated.map((n) => `${dir}/${n}`), path];
}

/**
 * Append-only, fsync'd JSONL audit log (fingerprints only: the record type carries no values),
 * hash-chained: every record carries seq, prev and hash (src/audit/chain.ts), appended under a
 * lock so two rekey processes never fork the chain. Past `maxBytes` the live file is renamed
 * `audit.jsonl.<its last seq>` and the next record, first of a new file, continues the chain.
 */
export function createFileAuditLog(path: string, opts: { onAppend?: (head: { seq: number; hash: string }) => Promise<void>; maxBytes?: number } = {}): FileAuditLog {
  const maxBytes = opts.maxBytes ?? 8 * 1024 * 1024;
  const appendChained = async (r: AuditRecord) => {
    await fs.mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const rec = await withAppendLock(path, async () => {
      const last = await lastRecord(path);
      const size = (await fs.stat(path).catch(() => null))?.size ?? 0;
      if (size >= maxBytes && last?.seq !== undefined) await fs.rename(path, `${path}.${String(last.seq).padStart(10, '0')}`);
      const c = chain(r, last ?? (await lastOfRotated(path)));
      await appendJsonl(path, c);
      return c;
    });
    await opts.onAppend?.({ seq: rec.seq, hash: rec.hash });
    return rec;
  };
  /** an empty live file after a rotation continues from the newest rotated one */
  const lastOfRotated = async (p: string) => {
    const files = await logFiles(p);
    const prev = files.at(-2);
    return prev ? lastRecord(prev) : null;
  };
  return {
    appendChained,
    async append(r) {
      await appendChained(r);
    },
    async read() {
      const out: AuditRecord[] = [];
      for (const f of await logFiles(path)) out.push(...(await readJsonl<AuditRecord>(f, 'the audit log')));
      return out;
    },
    async verify() {
      const records: (Record<string, unknown> & Chained)[] = [];
      const where: { file: string; line: number }[] = [];
      const files = await logFiles(path);
      for (const file of files) {
        let text = '';
        try {
          text = await fs.readFile(file, 'utf8');
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        }
        const lines = text.split('\n');
        if (lines.at(-1) === '') lines.pop(); // the final newline; anything after it is a torn tail, judged below
        for (let i = 0; i < lines.length; i++) {
          try {
            const r = JSON.parse(lines[i]!) as unknown;
            if (!r || typeof r !== 'object' || Array.isArray(r)) throw new Error('not an object');
            records.push(r as Record<string, unknown> & Chained);
            where.push({ file, line: i + 1 });
          } catch {
            const torn = file === path && i === lines.length - 1 && !text.endsWith('\n');
            const before = locate(verifyChain(records), where);
            if (!before.ok) return before;
            if (torn) return { ...before, tornTail: true };
            return { ok: false, records: records.length, legacy: before.legacy, broken: { line: i + 1, file, reason: 'the line is not a JSON record (damaged or edited)' } };
          }
        }
      }
      return { ...locate(verifyChain(records), where), ...(files.length > 1 ? { files: files.length } : {}) };
    },
  };
}

/** a report's record index → the file and line it is in */
function locate(r: ChainReport, where: { file: string; line: number }[]): ChainReport {
  if (r.ok || !r.broken) return r;
  const w = where[r.broken.line - 1];
  return w ? { ...r, broken: { ...r.broken, line: w.line, file: w.file } } : r;
}
