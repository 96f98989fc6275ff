/**
 * Per-command help, the version, and the nearest command to a mistyped one. No imports beyond
 * node: builtins, so `rekey --help` and `rekey --version` answer without loading any adapter.
 */
import { readFileSync } from 'node:fs';

interface CommandHelp {
  usage: string;
  summary: string;
  options: string[];
  example: string;
}

const COMMON = ['--policy, -p FILE  policy file', '--home DIR         state directory', '--json             machine-readable output on stdout', '--log-level L      pino level on stderr (default warn)'];

export const COMMANDS: Record<string, CommandHelp> = {
  init: { usage: 'rekey init [--home DIR] [--policy FILE]', summary: 'create the state directory (0700), the local key (0600) and, if absent, a starter policy', options: COMMON, example: 'rekey init' },
  'policy check': { usage: 'rekey policy check [--policy FILE]', summary: 'validate the policy; every problem with its dot-path (exit 2 on any)', options: COMMON, example: 'rekey policy check --policy policies/prod.yaml' },
  'policy schema': { usage: 'rekey policy schema', summary: "print the policy's JSON Schema", options: [], example: 'rekey policy schema > policy.schema.json' },
  plan: {
    usage: 'rekey plan <secret> [--env E] [--agent A] [--skip-sources]',
    summary: 'targets, delivery and restart order, blast radius, backend state; no side effects',
    options: ['--env, -e E        only targets in environment E', '--agent, -a A      only targets of agent A', '--skip-sources     do not look up every credential source (each runs the openclaw CLI)', ...COMMON],
    example: 'rekey plan anthropic --env prod',
  },
  rotate: {
    usage: 'rekey rotate <secret> [--env E] [--agent A] [--dry-run] [--take-over-pending] [--scrub]',
    summary: 'one rotation: stage, deliver, restart, verify at the consumer, promote (or roll back)',
    options: [
      '--env, -e E          only targets in environment E',
      '--agent, -a A        only targets of agent A',
      '--dry-run            every check the real run makes, nothing written',
      '--take-over-pending  adopt a pending version left by another, dead rotation',
      '--scrub              after a promote, remove OpenClaw backups still holding the old value',
      ...COMMON,
    ],
    example: 'rekey rotate anthropic --env prod --dry-run',
  },
  resume: { usage: 'rekey resume', summary: 'finish or roll back every rotation (and adopt / device rotation) interrupted at any step', options: COMMON, example: 'rekey resume' },
  status: { usage: 'rekey status [<secret>] [--skip-sources]', summary: 'versions and stages (fingerprints only), last outcome, unfinished rotations, locks', options: ['--skip-sources     do not look up every credential source', ...COMMON], example: 'rekey status anthropic --json' },
  put: {
    usage: 'rekey put <secret> --env E [--agent A] --stdin',
    summary: 'store a new value, read from stdin only (never argv), as pending for the next rotation',
    options: ['--stdin            read the value from stdin (required; a terminal is refused)', '--env, -e E        the environment whose ref gets it', '--agent, -a A      only that agent\'s ref', ...COMMON],
    example: 'printf %s "$NEW_KEY" | rekey put anthropic --env prod --stdin',
  },
  exec: {
    usage: 'rekey exec --agent A --env E [--dry-run] -- CMD…',
    summary: "run CMD with that target's credentials (keychain, env file) in its environment only",
    options: ['--agent, -a A      the target\'s agent', '--env, -e E        the target\'s environment', '--dry-run          list the variables and fingerprints, run nothing', ...COMMON],
    example: 'rekey exec --agent main --env prod -- openclaw gateway run',
  },
  'openclaw adopt': {
    usage: 'rekey openclaw adopt <secret> [--dry-run] [--scrub]',
    summary: "point OpenClaw's provider key at rekey's SecretRef file (openclaw secrets apply), verify, promote",
    options: ['--dry-run          validate the plan only', '--scrub            remove backups holding the plaintext key', ...COMMON],
    example: 'rekey openclaw adopt anthropic --dry-run',
  },
  'openclaw resolve': { usage: 'rekey openclaw resolve', summary: 'an OpenClaw exec secrets provider: ids <env>/<agent>/<VAR> on stdin (JSON), values on stdout', options: ['--policy, -p FILE  policy file'], example: 'echo \'{"protocolVersion":1,"ids":["prod/main/ANTHROPIC_API_KEY"]}\' | rekey openclaw resolve' },
  'openclaw devices': {
    usage: 'rekey openclaw devices <secret> [--rotate ID --role R]',
    summary: "the Gateway's paired devices (separate tokens); --rotate rotates one (the new token is never printed)",
    options: ['--rotate ID        the device whose token to rotate', '--role R           operator or node', ...COMMON],
    example: 'rekey openclaw devices gateway --rotate 3f2a --role operator',
  },
  'audit verify': {
    usage: 'rekey audit verify',
    summary: "walk the audit log's hash chain: exit 0 intact, exit 4 naming the first edited, missing, inserted or reordered record",
    options: ['--home DIR         state directory', '--json             the report as JSON'],
    example: 'rekey audit verify || alert "rekey audit log tampered"',
  },
  'audit show': {
    usage: 'rekey audit show [<secret>] [--env E] [--agent A] [--fingerprint F] [--outcome O] [--since T] [--until T]',
    summary: 'the audit records (who, what, when, fingerprints old → new, outcome), filtered, as a table or --json',
    options: ['--fingerprint F    records whose old or new fingerprint contains F', '--outcome O        promoted, rolled-back, refused, stored, …', '--since T, --until T  ISO 8601 dates', '--env E, --agent A  records whose blast radius includes them', '--home DIR         state directory', '--json             machine-readable'],
    example: 'rekey audit show anthropic --since 2026-11-01 --outcome rolled-back',
  },
  'audit export': {
    usage: 'rekey audit export [<secret>] [--env E] [--agent A] [--fingerprint F] [--outcome O] [--since T] [--until T]',
    summary: 'the audit records as stored (one JSON object per line, chain fields included), filtered like audit show',
    options: ['--since T, --until T  ISO 8601 dates', '--home DIR         state directory'],
    example: 'rekey audit export --since 2026-11-01 > rekey-audit-november.jsonl',
  },
  'service render': {
    usage: 'rekey service render systemd|launchd --agent A --env E [--out FILE] [--label L] -- CMD…',
    summary: 'print a unit / LaunchAgent plist whose command goes through rekey exec',
    options: ['--out FILE         write it atomically, mode 0600', '--label L          launchd Label / unit description', ...COMMON],
    example: 'rekey service render systemd --agent main --env prod -- openclaw gateway run',
  },
};

export function commandHelp(command: string): string | null {
  const c = COMMANDS[command];
  if (!c) return null;
  return [`Usage: ${c.usage}`, '', c.summary, '', ...(c.options.length ? ['Options:', ...c.options.map((o) => `  ${o}`), ''] : []), 'Example:', `  ${c.example}`, ''].join('\n');
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length]![b.length]!;
}

/** the known command closest to a mistyped one, if any is close enough to be a typo */
export function nearestCommand(typed: string): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const name of Object.keys(COMMANDS)) {
    const d = Math.min(distance(typed, name), distance(typed, name.split(' ').at(-1)!) + 0.5);
    if (d < bestD) {
      bestD = d;
      best = name;
    }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(typed.length / 3)) ? best : null;
}

/** rekey's version, from its package.json */
export function version(): string {
  for (const rel of ['../../../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'rekey') return pkg.version;
    } catch {
      // the other layout (src or dist)
    }
  }
  return 'unknown';
}

const VALUE_OPTIONS = new Set(['--policy', '-p', '--log-level', '--home', '--env', '-e', '--agent', '-a', '--out', '--rotate', '--role', '--label', '--fingerprint', '--outcome', '--since', '--until']);
const GROUPS = new Set(['policy', 'service', 'openclaw', 'audit']);

/** the command words of an argv (options and their values skipped; nothing after `--`) */
export function commandWords(argv: string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (VALUE_OPTIONS.has(a)) i++;
    else if (!a.startsWith('-')) words.push(a);
  }
  return words[0] && GROUPS.has(words[0]) ? words.slice(0, 2) : words.slice(0, 1);
}
