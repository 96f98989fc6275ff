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

/** Below this length, showing first/last four characters would reveal too much of the value. */
const MIN_LENGTH_FOR_AFFIXES = 20;

/**
 * A fingerprint: a short SHA-256 hash, prefixed with the first and last four characters only when
 * the value is long enough that eight characters leave most of it unknown (`sk-a…9f3Q#1a2b3c4d`).
 */
export function fingerprint(value: string): string {
  const hash = createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 8);
  if (value.length >= MIN_LENGTH_FOR_AFFIXES) {
    return `${value.slice(0, 4)}…${value.slice(-4)}#${hash}`;
  }
  return `#${hash}`;
}

/** The short hash part of a fingerprint, for comparing a fingerprint read back from elsewhere. */
export function fingerprintHash(fp: string): string {
  const i = fp.lastIndexOf('#');
  return i >= 0 ? fp.slice(i + 1) : fp;
}
