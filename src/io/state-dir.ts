import { promises as fs, type Stats } from 'node:fs';
import { join } from 'node:path';
import { UnsafeError } from '../core/errors.js';

const uid = () => process.getuid?.() ?? 0;
const octal = (m: number) => (m & 0o7777).toString(8).padStart(4, '0');

async function lstatOrNull(p: string): Promise<Stats | null> {
  try {
    return await fs.lstat(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** a directory of rekey's own: a real directory (no symlink), owned by this user, private */
function checkDir(path: string, st: Stats, what: string): void {
  if (st.isSymbolicLink()) throw new UnsafeError('STATE_DIR_SYMLINK', `${what} ${path} is a symlink: rekey keeps its state only in a real directory`, { hint: 'point REKEY_HOME / --home at the real directory' });
  if (!st.isDirectory()) throw new UnsafeError('STATE_NOT_A_DIR', `${what} ${path} is not a directory`);
  if (st.uid !== uid()) throw new UnsafeError('STATE_FOREIGN_OWNER', `${what} ${path} belongs to uid ${st.uid}, not to this user (${uid()}): whoever owns it controls rekey's state`, { hint: `use a directory of your own (or: chown ${uid()} ${path})` });
  if ((st.mode & 0o077) !== 0) {
    throw new UnsafeError('STATE_TOO_OPEN', `${what} ${path} has mode ${octal(st.mode)}: others can read or change rekey's state`, { hint: `chmod 700 ${path} (rekey does not change the mode of a directory it did not create)` });
  }
}

/** a file of rekey's own: a regular file owned by this user, not writable (key: not readable) by others */
function checkFile(path: string, st: Stats, what: string, privateRead: boolean): void {
  if (st.isSymbolicLink() || !st.isFile()) throw new UnsafeError('STATE_NOT_A_FILE', `${what} ${path} is not a regular file`);
  if (st.uid !== uid()) throw new UnsafeError('STATE_FOREIGN_OWNER', `${what} ${path} belongs to uid ${st.uid}, not to this user (${uid()})`, { hint: `remove it or chown ${uid()} ${path}` });
  if ((st.mode & (privateRead ? 0o077 : 0o022)) !== 0) throw new UnsafeError('STATE_TOO_OPEN', `${what} ${path} has mode ${octal(st.mode)}`, { hint: `chmod 600 ${path}` });
}

/**
 * `rekey init`: create the state directory private, or use an existing one only if it is already
 * a real directory of this user's that no one else can enter. It never changes the mode of a
 * directory it did not create (an existing 1777 /tmp would lose its sticky bit).
 */
export async function prepareStateDir(home: string): Promise<void> {
  const st = await lstatOrNull(home);
  if (st === null) {
    await fs.mkdir(home, { recursive: true, mode: 0o700 });
    await fs.chmod(home, 0o700); // the umask must not widen what rekey created
    return;
  }
  checkDir(home, st, 'the state directory');
}

/**
 * Every run: rekey's state directory, its subdirectories, the key and the audit log must be
 * this user's and private, as the sinks' files must be. Absent parts are fine (created later).
 */
export async function assertStateSafe(home: string): Promise<void> {
  const st = await lstatOrNull(home);
  if (st === null) return;
  checkDir(home, st, 'the state directory');
  for (const sub of ['store', 'store/secrets', 'journal', 'locks', 'snapshots', 'adopt']) {
    const s = await lstatOrNull(join(home, sub));
    if (s) checkDir(join(home, sub), s, 'the state directory');
  }
  const key = await lstatOrNull(join(home, 'key'));
  if (key) checkFile(join(home, 'key'), key, 'the key file', true);
  const audit = await lstatOrNull(join(home, 'audit.jsonl'));
  if (audit) checkFile(join(home, 'audit.jsonl'), audit, 'the audit log', false);
}
