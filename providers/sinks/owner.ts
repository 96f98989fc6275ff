import { readFileSync } from 'node:fs';
import { UsageError } from '../../src/core/errors.js';

/** Resolve a sink's `owner` (uid or user name) to a uid; default: the user rekey runs as. */
export function resolveOwner(owner: number | string | undefined, passwdPath = '/etc/passwd'): number {
  if (owner === undefined) return process.getuid?.() ?? 0;
  if (typeof owner === 'number') return owner;
  if (/^[0-9]+$/.test(owner)) return Number(owner);
  const line = readFileSync(passwdPath, 'utf8')
    .split('\n')
    .find((l) => l.split(':')[0] === owner);
  const uid = line?.split(':')[2];
  if (uid === undefined) throw new UsageError('UNKNOWN_USER', `no user "${owner}" on this host`, { hint: 'set sink.owner to an existing user or uid' });
  return Number(uid);
}

export function primaryGid(uid: number, passwdPath = '/etc/passwd'): number {
  if (uid === process.getuid?.()) return process.getgid?.() ?? uid;
  const line = readFileSync(passwdPath, 'utf8')
    .split('\n')
    .find((l) => l.split(':')[2] === String(uid));
  return Number(line?.split(':')[3] ?? uid);
}
