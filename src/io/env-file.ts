/**
 * Env files as systemd (EnvironmentFile=) reads them (systemd-env-parse.ts), written so dotenv
 * (OpenClaw's ~/.openclaw/.env) reads rekey's own lines the same way. rekey edits only the
 * assignments of the variables it owns and keeps every other byte.
 */
import { UnsafeError, UsageError } from '../core/errors.js';
import type { SecretValue } from '../core/secret-value.js';
import { loadSystemdEnv, parseSystemdEnv } from './systemd-env-parse.js';

import { ENV_NAME } from '../core/env-name.js';

export { ENV_NAME };
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

function refuse(path: string | undefined, key: string, line: number, what: string, hint: string): never {
  throw new UnsafeError('ENV_FILE_UNSUPPORTED', `${path ?? 'the env file'} line ${line}: ${what}; rekey will not write ${key} into a file it cannot read exactly as systemd does`, { hint, details: { line } });
}

/**
 * Set `key` (its first assignment replaced in place, later ones removed) and remove every
 * assignment of a name in `remove`, as systemd reads the file (parseSystemdEnv). Every other byte
 * is kept. Refused (UnsafeError, naming the line, never a value) when systemd would not load the
 * file, when a construct reads differently across systemd versions, when a line that looks like an
 * assignment of a name rekey owns is not one (continued from the line before, `export NAME=`), or
 * when the result would not mean exactly "the old environment with `key` set".
 */
export function updateEnvBytes(before: Buffer, key: string, value: SecretValue, remove: (name: string) => boolean = () => false, path?: string): Buffer {
  const assignment = encodeAssignment(key, value);
  const parsed = parseSystemdEnv(before);
  const loaded = loadSystemdEnv(parsed);
  if (!loaded.ok) refuse(path, key, loaded.line, loaded.why, 'fix that line by hand, then rotate again');
  const hazard = parsed.hazards[0];
  if (hazard) refuse(path, key, hazard.line, hazard.what, 'rewrite that line so every systemd version reads it the same way');
  const owned = (name: string) => name === key || remove(name);
  // every physical line that reads like an assignment of an owned name must really be one
  const lines = before.toString('latin1').split(/\r\n|\n|\r/);
  const starts = new Set(parsed.assignments.map((a) => a.line));
  lines.forEach((text, i) => {
    const m = /^[ \t]*(export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=/.exec(text);
    if (!m || !owned(m[2]!)) return;
    if (m[1]) refuse(path, key, i + 1, `"export ${m[2]}=…" is not an assignment for systemd (it drops the name "export ${m[2]}")`, `remove "export " from line ${i + 1}`);
    if (!starts.has(i + 1)) {
      refuse(path, key, i + 1, `this line looks like an assignment of ${m[2]}, but systemd reads it as part of the line before (a backslash continuation or an open quote)`, 'end the line before without a backslash, close its quote, or remove it');
    }
  });
  const chunks: Buffer[] = [];
  let at = 0;
  let placed = false;
  for (const a of parsed.assignments) {
    if (!owned(a.key)) continue;
    chunks.push(before.subarray(at, a.start));
    if (a.key === key && !placed) {
      const nl = before.subarray(a.start, a.end).toString('latin1').endsWith('\r\n') ? '\r\n' : '\n';
      chunks.push(Buffer.from(assignment + nl, 'latin1'));
      placed = true;
    }
    at = a.end;
  }
  chunks.push(before.subarray(at));
  let after = Buffer.concat(chunks);
  if (!placed) {
    // after the last byte: end an unterminated last line first (no continuation can reach us)
    const last = after.length ? after[after.length - 1] : undefined;
    const sep = last === undefined || last === 0x0a || last === 0x0d ? '' : '\n';
    after = Buffer.concat([after, Buffer.from(`${sep}${assignment}\n`, 'latin1')]);
  }
  // the result must mean exactly the old environment with `key` set and the removed names gone
  const want = new Map([...loaded.vars].filter(([k]) => !owned(k)));
  const got = loadSystemdEnv(parseSystemdEnv(after));
  const ok =
    got.ok &&
    got.vars.get(key)?.toString('utf8') === value.reveal() &&
    got.vars.size === want.size + 1 &&
    [...want].every(([k, v]) => got.vars.get(k)?.equals(v) === true);
  if (!ok) refuse(path, key, parsed.assignments.find((a) => owned(a.key))?.line ?? lines.length, 'the edited file would not read as intended', 'simplify the file around that line');
  return after;
}

/** Text in, text out (tests and callers that hold a string); bytes are the real interface. */
export function updateEnvText(text: string, key: string, value: SecretValue, remove: (name: string) => boolean = () => false): string {
  return updateEnvBytes(Buffer.from(text, 'utf8'), key, value, remove).toString('utf8');
}

export { providerAlternates } from '../core/env-name.js';

/**
 * The variables a unit gets from this file, exactly as systemd loads it (values UTF-8); an empty
 * map for a file systemd would refuse to load (the unit would not start: nothing is delivered).
 */
export function parseEnvBytes(bytes: Buffer): Map<string, string> {
  const loaded = loadSystemdEnv(parseSystemdEnv(bytes));
  return loaded.ok ? new Map([...loaded.vars].map(([k, v]) => [k, v.toString('utf8')])) : new Map();
}

export function parseEnvText(text: string): Map<string, string> {
  return parseEnvBytes(Buffer.from(text, 'utf8'));
}
