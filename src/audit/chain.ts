import { createHash } from 'node:crypto';

/**
 * The audit log's hash chain. Every record carries `seq` (1, 2, …), `prev` (the previous record's
 * `hash`, or GENESIS for the first) and `hash` = sha256 over `prev` and the record's JSON without
 * `hash`. Editing, deleting, inserting or reordering a record breaks the chain at that record;
 * `verifyChain` names the first one. (A deleted tail needs an anchor kept elsewhere: see docs.)
 */
export const GENESIS = '0'.repeat(64);

export interface Chained {
  seq?: number;
  prev?: string;
  hash?: string;
}

/** the hash of a record (its `hash` field left out): what the next record's `prev` must be */
export function recordHash(record: Record<string, unknown>): string {
  const { hash: _h, ...rest } = record;
  return createHash('sha256').update(String(rest.prev ?? '')).update('\n').update(JSON.stringify(rest)).digest('hex');
}

/** a record with its place in the chain after `last` (the file's last record, or null) */
export function chain<T extends object>(record: T, last: Chained | null): T & Required<Chained> {
  const linked = { ...record, seq: (last?.seq ?? 0) + 1, prev: last?.hash ?? GENESIS } as T & Chained;
  return { ...linked, hash: recordHash(linked as Record<string, unknown>) } as T & Required<Chained>;
}

export interface ChainReport {
  ok: boolean;
  records: number;
  /** records written before rekey chained its log (no seq): listed, not judged */
  legacy: number;
  /** the first problem: which record (1-based line of the file) and why */
  broken?: { line: number; seq?: number; reason: string; /** the file of a rotated log it is in */ file?: string };
  /** how many files the log spans (rotated ones and the live one), when more than one */
  files?: number;
  headHash?: string;
  /** bytes after the last newline: an append a crash cut short (not tampering; the next append removes it) */
  tornTail?: boolean;
}

/** Walk the records of one log file, in file order. */
export function verifyChain(records: (Record<string, unknown> & Chained)[]): ChainReport {
  let legacy = 0;
  let prev: (Record<string, unknown> & Chained) | null = null;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const line = i + 1;
    if (r.seq === undefined && r.hash === undefined) {
      if (prev) return { ok: false, records: records.length, legacy, broken: { line, reason: 'a record without a place in the chain after chained records (inserted by hand?)' } };
      legacy++;
      continue;
    }
    const expectSeq = (prev?.seq ?? 0) + 1;
    const expectPrev = prev?.hash ?? GENESIS;
    if (typeof r.seq !== 'number' || typeof r.hash !== 'string' || typeof r.prev !== 'string') {
      return { ok: false, records: records.length, legacy, broken: { line, reason: 'seq, prev or hash is missing or not of the right type' } };
    }
    if (r.hash !== recordHash(r)) return { ok: false, records: records.length, legacy, broken: { line, seq: r.seq, reason: 'the record was changed after it was written (its hash does not match its content)' } };
    if (r.seq !== expectSeq) {
      return { ok: false, records: records.length, legacy, broken: { line, seq: r.seq, reason: r.seq > expectSeq ? `records ${expectSeq}…${r.seq - 1} are missing (deleted)` : `out of order: seq ${r.seq} after ${expectSeq - 1}` } };
    }
    if (r.prev !== expectPrev) return { ok: false, records: records.length, legacy, broken: { line, seq: r.seq, reason: 'it does not follow the record before it (prev hash differs: a record before it was replaced)' } };
    prev = r;
  }
  return { ok: true, records: records.length, legacy, ...(prev?.hash ? { headHash: prev.hash } : {}) };
}
