/**
 * A book of JSON records kept in a backend with its standby-pool mechanism (Vault: one KV v2
 * document changed with check-and-set; AWS: one version per record, carrying its own staging label
 * and written with a ClientRequestToken derived from the record id; local: sealed entries). Records
 * are write-once: `add` of an id another writer already holds with different content is refused
 * (`BOOK_ENTRY_TAKEN`), which is what lets two writers race for one id and exactly one win (the
 * CI lease book, a fleet rollout's claim). Records hold names, times and fingerprints: never a value.
 */
import { BackendError, UsageError } from '../core/errors.js';
import type { SecretBackend } from '../core/ports.js';
import { SecretValue } from '../core/secret-value.js';
import type { RekeyDeps } from './context.js';

/** another writer holds the id with other content (what `add` throws when it lost the race) */
export const isEntryTaken = (e: unknown): boolean => e instanceof BackendError && e.code === 'BOOK_ENTRY_TAKEN';

export type BookDeps = Pick<RekeyDeps, 'backend' | 'retry' | 'signal'>;

function pool(backend: SecretBackend, what: string) {
  if (!backend.standby) throw new UsageError('NO_RECORD_BOOK', `the ${backend.kind} backend keeps no ${what} (it has no standby pool)`);
  return backend.standby;
}

export interface RecordBook<T> {
  /** write-once: the same content again is a no-op; other content under the id is BOOK_ENTRY_TAKEN */
  add(id: string, record: T): Promise<void>;
  /** one record, or null */
  get(id: string): Promise<T | null>;
  /** every record, by id (ids sort as the caller chose them) */
  list(): Promise<{ id: string; record: T }[]>;
  remove(id: string): Promise<void>;
}

/** `what` names the book in errors ("lease book"); `marker` is the first value AWS needs as current */
export function recordBook<T>(backendName: string, ref: string, what: string, deps: BookDeps): RecordBook<T> {
  const backend = deps.backend(backendName);
  const read = async (id: string) => deps.retry(`${what} read ${ref}`, () => pool(backend, what).read(ref, id, deps.signal));
  const put = (id: string, value: SecretValue) => deps.retry(`${what} add ${ref}`, () => pool(backend, what).add(ref, id, value, deps.signal));
  const parse = (id: string, v: SecretValue): T => {
    try {
      return JSON.parse(v.reveal()) as T;
    } catch {
      throw new BackendError('BOOK_CORRUPT', `record ${id} in ${backendName}:${ref} is not a ${what} record`, { hint: `someone else wrote under ${ref}; remove that entry` });
    }
  };
  return {
    async add(id, record) {
      const value = SecretValue.of(JSON.stringify(record));
      try {
        try {
          await put(id, value);
        } catch (e) {
          if (!(e instanceof BackendError && e.code === 'STANDBY_NEEDS_CURRENT')) throw e;
          // AWS makes a secret's first version current: the book's own (a marker, no record)
          const marker = `${what.replace(/\W+/g, '-')}-created`;
          await deps.retry(`stage ${ref}`, () => backend.stage(ref, SecretValue.of(JSON.stringify({ rekey: what })), marker, deps.signal));
          await deps.retry(`promote ${ref}`, () => backend.promote(ref, marker, deps.signal));
          await put(id, value);
        }
      } catch (e) {
        // another writer won the id (Vault: its cas write came first; AWS: its token did)
        const there = await read(id).catch(() => null);
        if (there && !there.equals(value)) throw new BackendError('BOOK_ENTRY_TAKEN', `${what} ${backendName}:${ref} already has a record ${id} written by another`, { details: { ref, id } });
        if (there) return;
        throw e;
      }
    },
    async get(id) {
      const v = await read(id);
      return v ? parse(id, v) : null;
    },
    async list() {
      const ids = await deps.retry(`${what} list ${ref}`, () => pool(backend, what).list(ref, deps.signal));
      const out: { id: string; record: T }[] = [];
      for (const e of ids) {
        const v = await read(e.id);
        if (v) out.push({ id: e.id, record: parse(e.id, v) });
      }
      return out;
    },
    async remove(id) {
      await deps.retry(`${what} remove ${ref}`, () => pool(backend, what).remove(ref, id, deps.signal));
    },
  };
}
