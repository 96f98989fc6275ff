import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { BackendError } from '../core/errors.js';

/** AES-256-GCM with a random 96-bit IV; `aad` binds a ciphertext to its place (ref, version). */
export interface Sealed {
  iv: string;
  tag: string;
  ct: string;
}

export function seal(key: Buffer, plaintext: string, aad: string): Sealed {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
  return { iv: iv.toString('base64'), tag: c.getAuthTag().toString('base64'), ct: ct.toString('base64') };
}

export function open(key: Buffer, s: Sealed, aad: string): string {
  try {
    const d = createDecipheriv('aes-256-gcm', key, Buffer.from(s.iv, 'base64'));
    d.setAAD(Buffer.from(aad, 'utf8'));
    d.setAuthTag(Buffer.from(s.tag, 'base64'));
    return Buffer.concat([d.update(Buffer.from(s.ct, 'base64')), d.final()]).toString('utf8');
  } catch (e) {
    throw new BackendError('DECRYPT_FAILED', `cannot decrypt ${aad}: wrong key or tampered data`, { cause: e, hint: 'check the key file / REKEY_LOCAL_KEY' });
  }
}
