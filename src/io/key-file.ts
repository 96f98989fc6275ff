import { createHmac, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { BackendError, UnsafeError, UsageError } from '../core/errors.js';
import { atomicWrite, readNoFollow } from './atomic-write.js';

/**
 * The 32-byte key that encrypts rekey's local data: from REKEY_LOCAL_KEY (base64) if set, else
 * from a 0600 key file (created on `init`). A key file readable by others is refused.
 */
export async function loadKey(file: string, env: NodeJS.ProcessEnv, opts: { create?: boolean } = {}): Promise<Buffer> {
  const fromEnv = env.REKEY_LOCAL_KEY;
  if (fromEnv) {
    const k = Buffer.from(fromEnv, 'base64');
    if (k.length !== 32) throw new UsageError('BAD_KEY', 'REKEY_LOCAL_KEY must be 32 bytes, base64-encoded');
    return k;
  }
  const data = await readNoFollow(file);
  if (data === null) {
    if (!opts.create) throw new UsageError('NO_KEY', `no key file at ${file}`, { hint: 'run `rekey init` first, or set REKEY_LOCAL_KEY' });
    const k = randomBytes(32);
    await atomicWrite(file, k.toString('base64') + '\n', { mode: 0o600 });
    return k;
  }
  const st = await fs.stat(file);
  if ((st.mode & 0o077) !== 0) throw new UnsafeError('KEY_FILE_TOO_OPEN', `key file ${file} has mode ${(st.mode & 0o777).toString(8)}`, { hint: `chmod 600 ${file}` });
  const k = Buffer.from(data.toString('utf8').trim(), 'base64');
  if (k.length !== 32) throw new UsageError('BAD_KEY', `key file ${file} does not hold a 32-byte base64 key`);
  return k;
}

/** A key's public check value: which key sealed a store, without revealing anything of it. */
export function keyId(key: Buffer): string {
  return createHmac('sha256', key).update('rekey key id v1').digest('hex').slice(0, 16);
}

/** The hint every "the store's key is gone or different" error carries. */
export function restoreKeyHint(keyFile: string, want?: string): string {
  return `restore the key file ${keyFile}${want ? ` (key id ${want})` : ''} from your backup, or set REKEY_LOCAL_KEY to it; a new key cannot read what the old one sealed, and \`rekey init\` will not make one next to a store`;
}

/**
 * Bind a store directory to the key that seals it: `<dir>/key-id` holds the key's check value,
 * written with the first value stored. A different key is refused (STORE_KEY_MISMATCH, exit 4):
 * rekey never seals new values next to ones it can no longer read.
 */
export async function assertStoreKey(dir: string, key: Buffer, keyFile: string, opts: { bind: boolean }): Promise<void> {
  const marker = `${dir}/key-id`;
  const have = keyId(key);
  const raw = await readNoFollow(marker);
  if (raw === null) {
    if (opts.bind) await atomicWrite(marker, `${have}\n`, { mode: 0o600 });
    return;
  }
  const want = raw.toString('utf8').trim();
  if (want !== have) {
    throw new BackendError('STORE_KEY_MISMATCH', `the store ${dir} was sealed with key ${want}, but the key in use is ${have}: its values cannot be read`, { hint: restoreKeyHint(keyFile, want) });
  }
}

/** Does `dir` hold anything a key sealed (store files, the key-id marker, snapshots)? */
export async function holdsSealedData(dirs: string[]): Promise<boolean> {
  for (const d of dirs) {
    try {
      const names = await fs.readdir(d);
      if (names.some((n) => n !== '.' && n !== '..')) return true;
    } catch {
      // absent
    }
  }
  return false;
}
