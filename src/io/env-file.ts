/**
 * Env files as systemd (EnvironmentFile=) and dotenv (OpenClaw's ~/.openclaw/.env) both read
 * them. rekey edits only the lines of the variables it owns and keeps every other byte.
 */
import { UsageError } from '../core/errors.js';
import type { SecretValue } from '../core/secret-value.js';

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** written bare: unambiguous to both systemd and dotenv */
const BARE = /^[A-Za-z0-9_\-.:/+=@%,~^]*$/;
/** written in single quotes: printable ASCII except ' \ $ ` (literal in both parsers, never expanded) */
const QUOTABLE = /^[^'\\$`]*$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

export function assertEnvName(key: string): void {
  if (!ENV_NAME.test(key)) {
    throw new UsageError('INVALID_ENV_NAME', `"${key.replace(/[^\x20-\x7e]/g, '?').slice(0, 64)}" is not a valid environment variable name`, { hint: 'letters, digits and _, not starting with a digit' });
  }
}

/** Encode one assignment, or refuse a value that would change the file's meaning. */
export function encodeAssignment(key: string, value: SecretValue): string {
  assertEnvName(key);
  const v = value.reveal();
  if (v.length === 0) throw new UsageError('EMPTY_VALUE', `refusing to write an empty value for ${key}`);
  if (v.length > 64 * 1024) throw new UsageError('VALUE_TOO_LONG', `the value for ${key} (${value.fingerprint}) is longer than 64 KiB`);
  if (BARE.test(v)) return `${key}=${v}`;
  if (/[\0\r\n]/.test(v)) {
    throw new UsageError('UNSAFE_VALUE', `the value for ${key} (${value.fingerprint}) contains a newline, carriage return or NUL: it would change the env file's meaning`);
  }
  if (PRINTABLE_ASCII.test(v) && QUOTABLE.test(v) && !v.startsWith(' ') && !v.endsWith(' ')) return `${key}='${v}'`;
  throw new UsageError('UNSAFE_VALUE', `the value for ${key} (${value.fingerprint}) contains quotes, backslashes, $, backticks or non-ASCII characters that env-file parsers disagree on`, {
    hint: 'provider keys and tokens are plain ASCII; check what was stored',
  });
}

interface Line {
  raw: string;
  /** the variable this line assigns, if any */
  key: string | null;
}

const ASSIGN = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=/;

function splitLines(text: string): Line[] {
  const parts = text.split(/(?<=\n)/);
  return parts.filter((p) => p.length > 0).map((raw) => ({ raw, key: ASSIGN.exec(raw)?.[1] ?? null }));
}

/**
 * Set `key` (first assignment replaced in place, later duplicates removed) and remove every line
 * assigning a name in `remove`. Every other line is kept byte for byte.
 */
export function updateEnvText(text: string, key: string, value: SecretValue, remove: (name: string) => boolean = () => false): string {
  const assignment = encodeAssignment(key, value);
  const lines = splitLines(text);
  const out: string[] = [];
  let placed = false;
  for (const l of lines) {
    if (l.key === key) {
      if (!placed) {
        out.push(assignment + (l.raw.endsWith('\r\n') ? '\r\n' : '\n'));
        placed = true;
      }
      continue;
    }
    if (l.key !== null && remove(l.key)) continue;
    out.push(l.raw);
  }
  if (!placed) {
    const last = out[out.length - 1];
    if (last !== undefined && !last.endsWith('\n')) out[out.length - 1] = last + '\n';
    out.push(assignment + '\n');
  }
  return out.join('');
}

/** Stale alternates OpenClaw also reads for a provider key (openclaw.md): a rotation removes them. */
export function providerAlternates(envVar: string, provider: string | undefined): (name: string) => boolean {
  const stem = envVar.endsWith('_API_KEY') ? envVar.slice(0, -'_API_KEY'.length) : null;
  const live = provider ? `OPENCLAW_LIVE_${provider.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_KEY` : null;
  return (name) => name !== envVar && ((stem !== null && (name === `${stem}_API_KEYS` || name.startsWith(`${stem}_API_KEY_`))) || name === live);
}

/** Parse values as systemd would (bare, '…' and "…" with \-escapes), for reading what a service gets. */
export function parseEnvText(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of splitLines(text)) {
    if (l.key === null) continue;
    let v = l.raw.replace(ASSIGN, '').replace(/\r?\n$/, '').trim();
    if (v.startsWith("'") && v.endsWith("'") && v.length >= 2) v = v.slice(1, -1);
    else if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    out.set(l.key, v);
  }
  return out;
}
