/**
 * The one place child output becomes error text: every secret rekey knows in that call is
 * replaced by its fingerprint first (the values of the environment it handed the child, its stdin,
 * and any value the caller names), and only then is the text cut to one short line.
 */
import type { ExecResult } from './ports.js';
import { fingerprint, type SecretValue } from './secret-value.js';

/** environment names whose values are not secrets (paths, locale): left readable in messages */
const PLAIN = /^(PATH|HOME|USER|LOGNAME|SHELL|PWD|TERM|LANG|LANGUAGE|LC_[A-Z]+|TZ|TMPDIR|XDG_[A-Z_]+|DBUS_SESSION_BUS_ADDRESS|OPENCLAW_STATE_DIR|OPENCLAW_CONFIG_PATH|OPENCLAW_HOME|OPENCLAW_NO_RESPAWN|NODE_ENV|REKEY_HOME)$/;
/** shorter strings are not treated as secrets (they would blank ordinary words) */
const MIN_SECRET = 8;

/** every value of an environment and a stdin that may be a secret (longest first) */
export function secretsOf(env: Record<string, string> | undefined, stdin: string | undefined): string[] {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(env ?? {})) if (!PLAIN.test(k) && v.length >= MIN_SECRET) out.add(v);
  if (stdin !== undefined) {
    const s = stdin.replace(/\r?\n$/, '');
    if (s.length >= MIN_SECRET) out.add(s);
  }
  return [...out].sort((a, b) => b.length - a.length);
}

export function scrubText(text: string, secrets: readonly string[]): string {
  let t = text;
  for (const s of secrets) if (s.length >= MIN_SECRET && t.includes(s)) t = t.split(s).join(fingerprint(s));
  return t;
}

/** stderr (else stdout) of a finished child: scrubbed, then its first line, then cut to `max` */
export function childMessage(r: ExecResult, extra: readonly SecretValue[] = [], max = 200): string {
  const secrets = [...(r.secrets ?? []), ...extra.map((v) => v.reveal())].sort((a, b) => b.length - a.length);
  const text = scrubText((r.stderr.trim() || r.stdout.trim()), secrets);
  return (text.split('\n')[0] ?? '').slice(0, max);
}
