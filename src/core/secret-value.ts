import { createHash, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * The only type that carries a secret. Every accidental rendering (string interpolation, JSON,
 * util.inspect, console.log, pino) prints `[redacted]`; `.reveal()` is called only at the wire
 * inside adapters. `fingerprint` is what logs, errors, the journal and the audit record carry.
 */
export class SecretValue {
  readonly #value: string;
  readonly fingerprint: string;

  private constructor(value: string) {
    this.#value = value;
    this.fingerprint = fingerprint(value);
  }

  static of(value: string): SecretValue {
    return new SecretValue(value);
  }

  reveal(): string {
    return this.#value;
  }

  get length(): number {
    return this.#value.length;
  }

  equals(other: SecretValue): boolean {
    const a = Buffer.from(this.#value, 'utf8');
    const b = Buffer.from(other.#value, 'utf8');
    return a.length === b.length && timingSafeEqual(a, b);
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return `SecretValue(${this.fingerprint})`;
  }
}

/** Below this length a fingerprint shows no character of the value at all. */
const MIN_LENGTH_FOR_AFFIXES = 16;

/**
 * A fingerprint: a short SHA-256 hash, prefixed with the first and last characters of the value
 * only when it is long enough: never more than a quarter of it (at most four at each end), and
 * none below 16 characters (`sk-a…9f3Q#1a2b3c4d` for a provider key; 20 characters show 2 + 2).
 */
export function fingerprint(value: string): string {
  const hash = createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 8);
  const each = value.length >= MIN_LENGTH_FOR_AFFIXES ? Math.min(4, Math.floor(value.length / 8)) : 0;
  if (each > 0) return `${value.slice(0, each)}…${value.slice(-each)}#${hash}`;
  return `#${hash}`;
}

/** The short hash part of a fingerprint, for comparing a fingerprint read back from elsewhere. */
export function fingerprintHash(fp: string): string {
  const i = fp.lastIndexOf('#');
  return i >= 0 ? fp.slice(i + 1) : fp;
}
