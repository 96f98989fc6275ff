import { createHash } from 'node:crypto';
import type { Exec, ExecOptions, ExecResult } from '../core/ports.js';

export interface MemoExec extends Exec {
  /** something changed what reads would see (a sink wrote, a service restarted): answer none from memory */
  forget(): void;
  /** how many read calls were answered from memory / ran (for the bench and the tests) */
  readonly stats: { reused: number; ran: number };
}

/**
 * One run's memory of read-only child calls (`reuse: 'read'`): an identical call (argv, env,
 * stdin, cwd) made again before anything changed is answered by the first one, so one
 * `openclaw models status` or `models auth list` per state dir, agent and environment serves the
 * source lookup, the pre-flight baseline and the snapshot alike. Only clean answers (exit 0) are
 * kept; a call in flight is shared. A `change` call, `forget()` (sink writes, restarts) or a
 * failed read clears the memory. The key is a hash: the environment may hold secrets.
 */
export function createMemoExec(inner: Exec): MemoExec {
  let memory = new Map<string, Promise<ExecResult>>();
  const stats = { reused: 0, ran: 0 };
  const keyOf = (argv: readonly string[], o: ExecOptions) =>
    createHash('sha256')
      .update(JSON.stringify([argv, Object.entries(o.env ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)), o.stdin ?? null, o.cwd ?? null]))
      .digest('hex');
  const forget = () => {
    memory = new Map();
  };
  return {
    stats,
    forget,
    async run(argv, opts = {}) {
      if (opts.reuse === 'change') {
        forget();
        try {
          return await inner.run(argv, opts);
        } finally {
          forget();
        }
      }
      if (opts.reuse !== 'read') return inner.run(argv, opts);
      const key = keyOf(argv, opts);
      const known = memory.get(key);
      if (known) {
        stats.reused++;
        return known;
      }
      stats.ran++;
      const mine = memory;
      const p = inner.run(argv, opts);
      mine.set(key, p);
      const drop = () => {
        if (mine.get(key) === p) mine.delete(key);
      };
      p.then((r) => (r.code === 0 && !r.timedOut ? undefined : drop()), drop);
      return p;
    },
  };
}
