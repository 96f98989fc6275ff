import { wordsOf, type HelpData } from './help-words.js';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../core/errors.js';
import { COMMANDS } from './commands/index.js';
import { GLOBAL_OPTIONS, type Command, type OptionSpec, type OptionSpecs } from './commands/define.js';

export interface GlobalOptions {
  json: boolean;
  policy: string;
  logLevel: string;
  home: string | undefined;
  help: boolean;
  version: boolean;
}

export interface ParsedArgs {
  /** the command's words (`openclaw adopt`), empty when none was given */
  command: string[];
  positionals: string[];
  global: GlobalOptions;
  /** the command's own options, as its descriptor declares them */
  opts: Record<string, string | boolean | undefined>;
  /** its descriptor; null for an unknown command */
  spec: Command | null;
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
/** The per-user default policy: the same file whatever the current directory. */
export function defaultPolicyPath(env: NodeJS.ProcessEnv): string {
  const config = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(config, 'rekey', 'rekey.yaml');
}

/**
 * Options are parsed per command: the global ones and those the command declares (an option of
 * another command is refused, naming this command's help).
 */
export function parseArgv(argv: string[], env: NodeJS.ProcessEnv): ParsedArgs {
  const command = commandWords(argv);
  const spec = COMMANDS.get(command.join(' ')) ?? null;
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...GLOBAL_OPTIONS, ...(spec?.options ?? {}) } as ParseArgsConfig['options'], allowPositionals: true, strict: spec !== null });
  } catch (e) {
    throw new UsageError('BAD_ARGUMENTS', (e as Error).message, { hint: spec ? `rekey ${spec.words} --help` : 'rekey --help' });
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const logLevel = str('log-level') ?? env.REKEY_LOG_LEVEL ?? 'warn';
  if (!LEVELS.includes(logLevel)) throw new UsageError('BAD_ARGUMENTS', `--log-level must be one of ${LEVELS.join(', ')}`);
  const opts: ParsedArgs['opts'] = {};
  for (const k of Object.keys(spec?.options ?? {})) opts[k] = values[k];
  return {
    command,
    positionals: parsed.positionals.slice(command.length),
    global: {
      json: values.json === true,
      policy: str('policy') ?? env.REKEY_POLICY ?? defaultPolicyPath(env),
      logLevel,
      home: str('home'),
      help: values.help === true,
      version: values.version === true,
    },
    opts,
    spec,
  };
}

const col = (s: string, w: number) => (s.length >= w ? `${s}  ` : s.padEnd(w));
const optionLine = (name: string, o: OptionSpec) => `${col(`--${name}${o.short ? `, -${o.short}` : ''}${o.value ? ` ${o.value}` : ''}`, 21)}${o.help}`;

/** `rekey --help`: every command, from its descriptor */
export const HELP = [
  'rekey — rotate and isolate OpenClaw credentials (provider keys and Gateway tokens)',
  '',
  'Usage: rekey <command> [options]        (rekey <command> --help: its options and an example)',
  '',
  'Commands:',
  ...[...COMMANDS.values()].map((c) => `  ${col([c.words, ...c.usage.split(' ').filter((w) => /^\[?<|^(systemd\|launchd)$/.test(w))].join(' '), 29)}${c.summary}`),
  '',
  'Options of every command:',
  ...Object.entries(GLOBAL_OPTIONS).map(([k, o]) => `  ${optionLine(k, o)}`),
  '',
  'Exit codes: 0 ok · 1 internal · 2 usage/policy · 3 unsafe precondition · 4 backend ·',
  '            5 verification failed, rolled back · 6 rollback failed, human needed',
  '',
].join('\n');

/** `rekey <command> --help`: usage, summary, its own options and the global ones, an example */
export function commandHelp(words: string): string | null {
  const c = COMMANDS.get(words);
  if (!c) return null;
  const own = Object.entries(c.options as OptionSpecs).map(([k, o]) => `  ${optionLine(k, o)}`);
  const global = Object.entries(GLOBAL_OPTIONS)
    .filter(([k]) => k !== 'version')
    .map(([k, o]) => `  ${optionLine(k, o)}`);
  return [`Usage: rekey ${c.words}${c.usage ? ` ${c.usage}` : ''}`, '', c.summary, '', 'Options:', ...own, ...global, '', 'Example:', `  ${c.example}`, ''].join('\n');
}

/** options that take a value, across every command: their values are not command words */
const VALUE_OPTIONS = new Set(
  [GLOBAL_OPTIONS as OptionSpecs, ...[...COMMANDS.values()].map((c) => c.options as OptionSpecs)].flatMap((opts) =>
    Object.entries(opts)
      .filter(([, o]) => o.type === 'string')
      .flatMap(([k, o]) => [`--${k}`, ...(o.short ? [`-${o.short}`] : [])]),
  ),
);
/** the first words of the command groups (`rekey openclaw adopt`) */
const GROUPS = new Set([...COMMANDS.keys()].filter((w) => w.includes(' ')).map((w) => w.split(' ')[0]!));

/** the command words of an argv (options and their values skipped; nothing after `--`) */
export function commandWords(argv: string[]): string[] {
  return wordsOf(argv, VALUE_OPTIONS, GROUPS);
}

/** every help text and what finding the command words needs: built into help.json at build time */
export function helpData(): HelpData {
  return { main: HELP, valueOptions: [...VALUE_OPTIONS], groups: [...GROUPS], commands: Object.fromEntries([...COMMANDS.keys()].map((w) => [w, commandHelp(w)!])) };
}
