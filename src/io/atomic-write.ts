import { constants, promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UnsafeError } from '../core/errors.js';

export interface AtomicWriteOptions {
  /** uid/gid the file must end up owned by; default: the current process's */
  uid?: number;
  gid?: number;
  /** default 0o600 */
  mode?: number;
}

/**
 * Refuse to write where a secret could leak or be redirected: the target must not be a symlink
 * (or anything but a regular file), and its directory must be a real directory that is not
 * group- or world-writable.
 */
export async function assertSafeTarget(path: string, expectOwner?: number): Promise<void> {
  const dir = dirname(path);
  let dst;
  try {
    dst = await fs.lstat(dir);
  } catch (e) {
    throw new UnsafeError('DIR_MISSING', `directory ${dir} does not exist`, { cause: e, hint: 'create it (mode 0700) or fix the path in the policy' });
  }
  if (dst.isSymbolicLink()) throw new UnsafeError('SYMLINK', `directory ${dir} is a symlink: refusing to write a secret through it`);
  if (!dst.isDirectory()) throw new UnsafeError('NOT_A_DIRECTORY', `${dir} is not a directory`);
  // the directory's owner can swap or read the file at will: it must be us, the service's user, or root
  const me = process.getuid?.();
  if (me !== undefined && dst.uid !== me && dst.uid !== 0 && dst.uid !== expectOwner) {
    throw new UnsafeError('DIR_FOREIGN_OWNER', `directory ${dir} is owned by uid ${dst.uid}, neither rekey's user (uid ${me}) nor the service's: that user controls the file`, { hint: `chown the directory to the service's user, or point the policy elsewhere` });
  }
  if ((dst.mode & 0o022) !== 0) {
    throw new UnsafeError('DIR_WRITABLE_BY_OTHERS', `directory ${dir} is group- or world-writable (mode ${(dst.mode & 0o777).toString(8)}): another user could swap the file`, { hint: `chmod go-w ${dir}` });
  }
  let st;
  try {
    st = await fs.lstat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (st.isSymbolicLink()) throw new UnsafeError('SYMLINK', `${path} is a symlink: refusing to write a secret through it`, { hint: 'replace the link with the real file, or point the policy at the real path' });
  if (!st.isFile()) throw new UnsafeError('NOT_A_FILE', `${path} is not a regular file`);
  // the atomic rename would split a hard-linked file: the old secret stays readable at the other name
  if (st.nlink > 1) {
    throw new UnsafeError('HARD_LINKED', `${path} has ${st.nlink} hard links: replacing it would leave the old value readable under the other name(s)`, { hint: `find / -xdev -samefile ${path}; remove the other links first` });
  }
  if (expectOwner !== undefined && st.uid !== expectOwner) {
    throw new UnsafeError('WRONG_OWNER', `${path} is owned by uid ${st.uid}, not by the service's user (uid ${expectOwner})`, { hint: 'fix the owner, or set sink.owner in the policy' });
  }
}

/**
 * The one routine that writes files holding secrets: a temp file in the same directory opened
 * O_CREAT|O_EXCL|O_NOFOLLOW with mode 0600, fchmod (umask-proof), fchown, write, fsync, rename
 * over the target, fsync of the directory. On any failure the temp file is removed and the old
 * file is untouched.
 */
export async function atomicWrite(path: string, data: Buffer | string, opts: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.rekey-${randomBytes(6).toString('hex')}.tmp`);
  const mode = opts.mode ?? 0o600;
  const fh = await fs.open(tmp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW, mode);
  let renamed = false;
  try {
    await fh.chmod(mode);
    const uid = opts.uid ?? process.getuid?.() ?? -1;
    const gid = opts.gid ?? process.getgid?.() ?? -1;
    if (uid !== (process.getuid?.() ?? -1) || gid !== (process.getgid?.() ?? -1)) await fh.chown(uid, gid);
    await fh.writeFile(data);
    await fh.sync();
    await fh.close();
    await fs.rename(tmp, path);
    renamed = true;
    await fsyncDir(dir);
  } catch (e) {
    await fh.close().catch(() => {});
    if (!renamed) await fs.rm(tmp, { force: true }).catch(() => {});
    throw e;
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  const d = await fs.open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

/** Read a file without following a symlink at the last component; null if absent. */
export async function readNoFollow(path: string): Promise<Buffer | null> {
  let fh;
  try {
    fh = await fs.open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') throw new UnsafeError('SYMLINK', `${path} is a symlink: refusing to read a secret through it`);
    throw e;
  }
  try {
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}
