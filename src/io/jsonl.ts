import { constants, promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { fsyncDir } from './atomic-write.js';

/** Append one JSON line and fsync it (and the directory when the file is new) before returning. */
export async function appendJsonl(path: string, obj: unknown): Promise<void> {
  const line = JSON.stringify(obj) + '\n';
  let created = false;
  let fh;
  try {
    fh = await fs.open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    fh = await fs.open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
    created = true;
  }
  try {
    await fh.write(line);
    await fh.sync();
  } finally {
    await fh.close();
  }
  if (created) await fsyncDir(dirname(path));
}

/** Read a JSONL file; a torn last line (crash mid-write) is ignored, any other bad line is an error. */
export async function readJsonl<T>(path: string): Promise<T[]> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const lines = text.split('\n');
  const out: T[] = [];
  lines.forEach((l, i) => {
    if (l.trim() === '') return;
    try {
      out.push(JSON.parse(l) as T);
    } catch (e) {
      if (i === lines.length - 1) return; // torn tail
      throw new Error(`${path}:${i + 1} is not valid JSON`, { cause: e });
    }
  });
  return out;
}
