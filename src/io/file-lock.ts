import { constants, promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UnsafeError } from '../core/errors.js';
import type { LockHandle, LockManager } from '../core/ports.js';
import { fsyncDir } from './atomic-write.js';

interface LockBody {
  pid: number;
  host: string;
  rotationId: string;
  command: string;
  since: string;
}

/** is `pid` a live process on this host (EPERM: alive, someone else's) */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** An empty or torn lock younger than this may be a live process between create and write. */
export const TORN_GRACE_MS = 5_000;

async function readBody(path: string): Promise<LockBody | null> {
  try {
    return JSON.parse(await fs.readFile(path, 'utf8')) as LockBody;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    // torn: created but not (yet) written. Owner unknown; its age decides (see isStale).
    try {
      const st = await fs.stat(path);
      return { pid: -1, host: hostname(), rotationId: '?', command: 'a starting process', since: st.mtime.toISOString() };
    } catch {
      return null;
    }
  }
}

/**
 * One lock file per secret, created with O_EXCL. A lock whose owner (same host) is dead is stale:
 * it is removed under a short recovery lock (also O_EXCL), after re-reading that it is still the
 * same stale lock, so two recoverers cannot both win. A live owner's lock is never taken.
 */
export function createFileLockManager(dir: string, now: () => Date): LockManager {
  const host = hostname();
  const path = (name: string) => join(dir, `${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.lock`);

  const tryCreate = async (p: string, body: LockBody): Promise<boolean> => {
    let fh;
    try {
      fh = await fs.open(p, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
    try {
      await fh.writeFile(JSON.stringify(body));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsyncDir(dir);
    return true;
  };
  const isStale = (b: LockBody) =>
    b.host === host && (b.pid === -1 ? now().getTime() - Date.parse(b.since) > TORN_GRACE_MS : b.pid <= 0 || !pidAlive(b.pid));

  const recover = async (p: string, seen: LockBody): Promise<void> => {
    const rp = `${p}.recover`;
    const me: LockBody = { pid: process.pid, host, rotationId: seen.rotationId, command: 'recover', since: now().toISOString() };
    if (!(await tryCreate(rp, me))) {
      const other = await readBody(rp);
      if (other && isStale(other)) await fs.rm(rp, { force: true });
      return; // someone else is recovering (or was): the caller retries
    }
    try {
      const again = await readBody(p);
      if (again && isStale(again) && again.pid === seen.pid && again.since === seen.since) await fs.rm(p, { force: true });
    } finally {
      await fs.rm(rp, { force: true });
    }
  };

  return {
    async acquire(name, owner) {
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      const p = path(name);
      const body: LockBody = { pid: process.pid, host, rotationId: owner.rotationId, command: owner.command, since: now().toISOString() };
      for (let attempt = 0; attempt < 5; attempt++) {
        if (await tryCreate(p, body)) {
          const handle: LockHandle = {
            async release() {
              const cur = await readBody(p);
              if (cur && cur.pid === process.pid && cur.rotationId === owner.rotationId) await fs.rm(p, { force: true });
            },
          };
          return handle;
        }
        const held = await readBody(p);
        if (held === null) continue; // released meanwhile
        if (!isStale(held) && held.pid === -1) {
          throw new UnsafeError('LOCK_HELD', `secret "${name}" is being locked by another rekey process right now (lock file created at ${held.since})`, {
            details: { lock: p },
            hint: 'another rotation of this secret is starting: wait for it to finish',
          });
        }
        if (!isStale(held)) {
          throw new UnsafeError('LOCK_HELD', `secret "${name}" is locked by ${held.command} (pid ${held.pid} on ${held.host}, rotation ${held.rotationId}, since ${held.since})`, {
            details: { lock: p, pid: held.pid, host: held.host, rotationId: held.rotationId },
            hint: held.host === host ? 'wait for it to finish' : `the lock belongs to host ${held.host}; if that host is gone, remove ${p} by hand`,
          });
        }
        await recover(p, held);
      }
      throw new UnsafeError('LOCK_CONTENDED', `could not take the lock for "${name}": it keeps changing hands`, { details: { lock: p } });
    },
    async sweepStale() {
      let names: string[];
      try {
        names = (await fs.readdir(dir)).filter((n) => n.endsWith('.lock'));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw e;
      }
      const swept: string[] = [];
      for (const n of names) {
        const p = join(dir, n);
        const b = await readBody(p);
        if (b && isStale(b)) {
          await recover(p, b);
          if ((await readBody(p)) === null) swept.push(n.slice(0, -5));
        }
      }
      return swept;
    },
    async inspect(name) {
      const b = await readBody(path(name));
      if (!b) return null;
      return { pid: b.pid, host: b.host, rotationId: b.rotationId, since: b.since, alive: !isStale(b) };
    },
  };
}
