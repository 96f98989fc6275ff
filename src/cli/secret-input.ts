import { UsageError } from '../core/errors.js';

/**
 * A value read from stdin for `rekey put`: one trailing newline is dropped; invalid UTF-8, control
 * characters (newline, CR, NUL, …) and an empty value are refused at once, naming the secret
 * and never echoing the value.
 */
export function decodeSecretInput(bytes: Buffer, secret: string): string {
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
