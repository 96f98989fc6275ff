/**
 * The retirement log: `<home>/retirements.jsonl`, fsync'd appends — `add` when a promote leaves an
 * old credential to retire, `close` once it is retired upstream. Open = added and not closed.
 */
import type { RetirementEntry, RetirementLog } from '../core/ports.js';
import { appendJsonl, readJsonl } from './jsonl.js';

type Line = ({ type: 'add' } & RetirementEntry) | { type: 'close'; id: string; status: string; at: string; upstream?: string };

export function createFileRetirementLog(path: string): RetirementLog {
  return {
    add: async (e) => void (await appendJsonl(path, { type: 'add', ...e })),
    close: async (id, r) => void (await appendJsonl(path, { type: 'close', id, ...r })),
    async open() {
      const lines = await readJsonl<Line>(path, 'the retirement log');
      const closed = new Set(lines.filter((l) => l.type === 'close').map((l) => l.id));
      return lines.filter((l): l is Extract<Line, { type: 'add' }> => l.type === 'add' && !closed.has(l.id)).map(({ type: _t, ...e }) => e);
    },
  };
}
