import { UsageError } from '../core/errors.js';

/**
 * A value read from stdin for `rekey put`: one trailing newline is dropped; invalid UTF-8, control
 * characters (newline, CR, NUL, …) and an empty value are refused at once, naming the secret
 * and never echoing the value.
 */
/** the largest value `put` stores: credentials are short; an env file refuses more anyway */
export const MAX_VALUE_BYTES = 64 * 1024;

export function decodeSecretInput(bytes: Buffer, secret: string): string {
  if (bytes.length > MAX_VALUE_BYTES + 2) throw new UsageError('VALUE_TOO_LARGE', `the value for ${secret} on stdin is larger than 64 KiB: a credential is not`, { hint: 'check what was piped in' });
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) throw new UsageError('INVALID_UTF8', `the value for ${secret} on stdin is not valid UTF-8`);
  const value = text.replace(/\r?\n$/, '');
  if (value.length === 0) throw new UsageError('EMPTY_VALUE', `stdin was empty: no value for ${secret}`);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(value)) {
    throw new UsageError('CONTROL_CHARACTERS', `the value for ${secret} on stdin contains control characters (a second line, CR, NUL, tab…)`, {
      hint: 'a credential is one line: check what was piped in (printf %s "$KEY", not echo -e)',
    });
  }
  return value;
}
