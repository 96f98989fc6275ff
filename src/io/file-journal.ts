import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { BackendError } from '../core/errors.js';
import type { JournalEvent } from '../rotation/state.js';
import type { Journal as JournalPort } from '../core/ports.js';

type Journal = JournalPort<JournalEvent>;
import { appendJsonl, readJsonl } from './jsonl.js';

const ID = /^[A-Za-z0-9_-]+$/;
/** the journal line format; a line carries it as `v` (lines without one are format 1) */
export const JOURNAL_FORMAT = 1;

/**
 * One fsync'd JSONL file per rotation under `<stateDir>/journal/`. A torn last line (a kill or a
 * full disk mid-append) is skipped when read and cut off before the next append; any other
 * unreadable line is STATE_CORRUPT (exit 4) for that rotation only: other secrets go on.
 */
export function createFileJournal(dir: string): Journal {
  const file = (id: string) => {
    if (!ID.test(id)) throw new Error(`bad rotation id ${id}`);
    return join(dir, `${id}.jsonl`);
  };
  const list = async () => {
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    // rotation ids start with a sortable timestamp
    return names.filter((n) => n.endsWith('.jsonl')).map((n) => n.slice(0, -6)).sort();
  };
  const read = async (id: string): Promise<JournalEvent[]> => {
    const lines = await readJsonl<JournalEvent & { v?: number }>(file(id), 'the journal');
    for (const l of lines) {
      if ((l.v ?? 1) > JOURNAL_FORMAT) {
        throw new BackendError('STATE_FORMAT', `the journal ${file(id)} was written by a newer rekey (format ${l.v}, this one reads ${JOURNAL_FORMAT})`, { hint: 'run the rekey version that wrote it' });
      }
    }
    return lines.map(({ v: _v, ...e }) => e as JournalEvent);
  };
  /** the secret of a journal that cannot be read whole: from its first line, if that one reads */
  const secretOfDamaged = async (id: string): Promise<string | null> => {
    try {
      const first = (await fs.readFile(file(id), 'utf8')).split('\n')[0] ?? '';
      const e = JSON.parse(first) as Partial<JournalEvent>;
      return e.type === 'begin' && typeof e.secret === 'string' ? e.secret : null;
    } catch {
      return null;
    }
  };
  return {
    async append(e) {
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      await appendJsonl(file(e.rotationId), { v: JOURNAL_FORMAT, ...e });
    },
    read,
    list,
    async unfinished() {
      const out: { rotationId: string; secret: string; damaged?: boolean }[] = [];
      for (const id of await list()) {
        let events: JournalEvent[];
        try {
          events = await read(id);
        } catch (err) {
          if (!(err instanceof BackendError)) throw err;
          // unreadable: unfinished as far as anyone can tell; blocks its own secret only
          const secret = await secretOfDamaged(id);
          if (secret !== null) out.push({ rotationId: id, secret, damaged: true });
          continue;
        }
        const begin = events.find((e) => e.type === 'begin');
        if (begin && !events.some((e) => e.type === 'end')) out.push({ rotationId: id, secret: begin.secret });
      }
      return out;
    },
  };
}
