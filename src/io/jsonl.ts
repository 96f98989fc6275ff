import { constants, promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { BackendError } from '../core/errors.js';
import { fsyncDir } from './atomic-write.js';

/**
 * Append one JSON line and fsync it (and the directory when the file is new) before returning.
 * A torn tail left by a crash or a full disk (bytes after the last newline: a write that never
 * returned, so nothing relied on it) is cut off first; returns how many bytes were cut.
 */
export async function appendJsonl(path: string, obj: unknown): Promise<number> {
  const line = JSON.stringify(obj) + '\n';
  let created = false;
  let cut = 0;
  let fh;
  try {
    fh = await fs.open(path, constants.O_RDWR | constants.O_APPEND | constants.O_NOFOLLOW);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    fh = await fs.open(path, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
    created = true;
  }
  try {
    const { size } = await fh.stat();
    if (size > 0) {
      const last = Buffer.alloc(1);
      await fh.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) {
        const all = await fh.readFile();
        const keep = all.lastIndexOf(0x0a) + 1;
        await fh.truncate(keep);
        cut = size - keep;
      }
    }
    await fh.write(line);
    await fh.sync();
  } finally {
    await fh.close();
  }
  if (created) await fsyncDir(dirname(path));
  return cut;
}

export interface JsonlRead<T> {
  records: T[];
  /** bytes after the last newline (a torn append), skipped */
  tornTail: boolean;
}

/**
 * Read a JSONL file. A torn last line (no newline after it: a crash mid-write) is skipped and
 * reported; any other line that is not JSON is a named error (exit 4) naming the file and line.
 */
export async function readJsonlChecked<T>(path: string, what: string): Promise<JsonlRead<T>> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], tornTail: false };
    throw new BackendError('STATE_UNREADABLE', `cannot read ${what} ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { hint: 'check its owner and mode' });
  }
  const lines = text.split('\n');
  const tornTail = lines[lines.length - 1] !== '';
  const records: T[] = [];
  lines.forEach((l, i) => {
    if (l.trim() === '') return;
    try {
      records.push(JSON.parse(l) as T);
    } catch {
      if (i === lines.length - 1) return; // torn tail
      throw new BackendError('STATE_CORRUPT', `${what} ${path} line ${i + 1} is not valid JSON`, {
        details: { file: path, line: i + 1 },
        hint: `restore ${path} from a backup, or move it aside once you have checked by hand what that rotation touched (rekey status; the audit log)`,
      });
    }
  });
  return { records, tornTail };
}

/** Read a JSONL file (see readJsonlChecked): the records only. */
export async function readJsonl<T>(path: string, what = 'file'): Promise<T[]> {
  return (await readJsonlChecked<T>(path, what)).records;
}
