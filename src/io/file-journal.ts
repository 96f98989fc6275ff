import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { JournalEvent } from '../rotation/state.js';
import type { Journal } from '../rotation/stores.js';
import { appendJsonl, readJsonl } from './jsonl.js';

const ID = /^[A-Za-z0-9_-]+$/;

/** One fsync'd JSONL file per rotation under `<stateDir>/journal/`. */
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
  return {
    async append(e) {
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      await appendJsonl(file(e.rotationId), e);
    },
    read: (id) => readJsonl<JournalEvent>(file(id)),
    list,
    async unfinished() {
      const out: { rotationId: string; secret: string }[] = [];
      for (const id of await list()) {
        const events = await readJsonl<JournalEvent>(file(id));
        const begin = events.find((e) => e.type === 'begin');
        if (begin && !events.some((e) => e.type === 'end')) out.push({ rotationId: id, secret: begin.secret });
      }
      return out;
    },
  };
}
