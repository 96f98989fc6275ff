import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../core/errors.js';

export interface GlobalOptions {
  json: boolean;
  policy: string;
  logLevel: string;
  home: string | undefined;
}

export interface ParsedArgs {
  command: string[];
  positionals: string[];
  global: GlobalOptions;
  flags: Record<string, string | boolean | undefined>;
}

const OPTIONS = {
  json: { type: 'boolean' },
  policy: { type: 'string', short: 'p' },
  'log-level': { type: 'string' },
  home: { type: 'string' },
  env: { type: 'string', short: 'e' },
  agent: { type: 'string', short: 'a' },
  'dry-run': { type: 'boolean' },
  'take-over-pending': { type: 'boolean' },
  stdin: { type: 'boolean' },
  force: { type: 'boolean' },
  out: { type: 'string' },
  scrub: { type: 'boolean' },
  'skip-sources': { type: 'boolean' },
  rotate: { type: 'string' },
  role: { type: 'string' },
  label: { type: 'string' },
  fingerprint: { type: 'string' },
  outcome: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
/** The per-user default policy: the same file whatever the current directory. */
export function defaultPolicyPath(env: NodeJS.ProcessEnv): string {
  const config = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(config, 'rekey', 'rekey.yaml');
}

/** commands with a subcommand word */
const GROUPS = new Set(['policy', 'service', 'openclaw', 'audit']);

export function parseArgv(argv: string[], env: NodeJS.ProcessEnv): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError('BAD_ARGUMENTS', (e as Error).message, { hint: 'rekey --help' });
  }
  const { values, positionals } = parsed;
  const logLevel = values['log-level'] ?? env.REKEY_LOG_LEVEL ?? 'warn';
  if (!LEVELS.includes(logLevel)) throw new UsageError('BAD_ARGUMENTS', `--log-level must be one of ${LEVELS.join(', ')}`);
  const first = positionals[0];
  const command = first && GROUPS.has(first) ? positionals.slice(0, 2) : positionals.slice(0, 1);
  return {
    command,
    positionals: positionals.slice(command.length),
    global: {
      json: values.json ?? false,
      policy: values.policy ?? env.REKEY_POLICY ?? defaultPolicyPath(env),
      logLevel,
      home: values.home,
    },
    flags: values,
  };
}

export const HELP = `rekey — rotate and isolate OpenClaw credentials (provider keys and Gateway tokens)

Usage: rekey <command> [options]

Commands:
  init                         create the local store (0700, key 0600) and a starter policy
  policy check                 validate the policy; every problem with its dot-path (exit 2 on any)
  policy schema                print the policy's JSON Schema
  plan <secret>                targets and blast radius; no side effects
  rotate <secret>              run one rotation (--dry-run: pre-flight and plan only)
  resume                       finish or roll back rotations interrupted at any step
  status [<secret>]            versions and stages (fingerprints only), last outcome, locks
  put <secret> --stdin         store a new value (read from stdin only) as pending for the next rotation
  exec --agent A --env E -- CMD…  run CMD with that target's credentials (keychain, env file) in its
                               environment; --dry-run lists them (fingerprints). For ExecStart=/ProgramArguments
  openclaw adopt <secret>      point OpenClaw's provider key at rekey's SecretRef file (openclaw secrets apply;
                               --dry-run validates the plan only; --scrub removes backups holding the plaintext key)
  openclaw resolve             an OpenClaw exec secrets provider: ids <env>/<agent>/<VAR> on stdin (JSON),
                               values from their keychain item or env file on stdout (zero-restart keychain)
  openclaw devices <secret>     paired devices of that Gateway (separate tokens); --rotate ID --role R rotates one
                               through openclaw devices rotate (the new token is never printed)
  audit verify                 walk the audit log's hash chain; exit 4 naming the first edited, missing or reordered record
  audit show [<secret>]        audit records (--env, --agent, --fingerprint F, --outcome O, --since T, --until T)
  audit export [<secret>]      the same records as JSON lines, as stored (for shipping elsewhere)
  service render systemd|launchd --agent A --env E -- CMD…
                               print a unit / LaunchAgent plist whose command goes through rekey exec

Options:
  --env, -e E        only targets in environment E
  --agent, -a A      only targets of agent A
  --policy, -p FILE  policy file (default $REKEY_POLICY, else $XDG_CONFIG_HOME/rekey/rekey.yaml: ~/.config/rekey/rekey.yaml)
  --home DIR         state directory (default $REKEY_HOME or ~/.local/state/rekey)
  --json             machine-readable output on stdout
  --log-level L      pino level on stderr (default warn)
  --dry-run          (rotate) check and plan, change nothing
  --take-over-pending (rotate) adopt a pending version left by another, dead rotation
  --scrub            (rotate) after a promote, remove OpenClaw backups (openclaw.json.bak*, .last-good,
                     *.migrated-*) that still hold the old value (found by content, reported by fingerprint)
  --skip-sources     (plan, status) do not look up every credential source (each lookup runs the openclaw CLI)
  --out FILE         (service render) write the unit/plist atomically, mode 0600, instead of stdout
  --label L          (service render) launchd Label / unit description (default ai.openclaw.gateway)

Exit codes: 0 ok · 1 internal · 2 usage/policy · 3 unsafe precondition · 4 backend ·
            5 verification failed, rolled back · 6 rollback failed, human needed
`;
