import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { UnsafeError, UsageError } from '../core/errors.js';
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
