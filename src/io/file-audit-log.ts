import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditLog } from '../rotation/stores.js';
import { appendJsonl, readJsonl } from './jsonl.js';

/** Append-only, fsync'd JSONL audit log (fingerprints only: the record type carries no values). */
export function createFileAuditLog(path: string): AuditLog {
  return {
    async append(r) {
      await fs.mkdir(dirname(path), { recursive: true, mode: 0o700 });
      await appendJsonl(path, r);
    },
    read: () => readJsonl(path, 'the audit log'),
  };
}
