/**
 * A command's descriptor: its words, help, typed options and runner, in the command's own file.
 * Command files import only light modules at the top (so `rekey --help` loads no adapter) and load
 * their use cases inside `run`.
 */
import type { CommandContext } from './context.js';

export interface OptionSpec {
  type: 'boolean' | 'string';
  short?: string;
  /** the value's placeholder in help (string options) */
  value?: string;
  help: string;
}
export type OptionSpecs = Record<string, OptionSpec>;
/** the parsed values of a command's options, typed from its specs */
export type OptionValues<O extends OptionSpecs> = { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };

export interface Command<O extends OptionSpecs = OptionSpecs> {
  /** `rekey <words>` */
  words: string;
  /** after `rekey <words>`: positionals and options */
  usage: string;
  summary: string;
  example: string;
  options: O;
  /** reads or writes rekey's state directory: its safety is checked before the command runs */
  stateful: boolean;
  run(c: CommandContext, opts: OptionValues<O>): Promise<number>;
}

export function defineCommand<const O extends OptionSpecs>(c: Command<O>): Command<O> {
  return c;
}

/** Options every command takes. */
export const GLOBAL_OPTIONS = {
  policy: { type: 'string', short: 'p', value: 'FILE', help: 'policy file (default $REKEY_POLICY, else ~/.config/rekey/rekey.yaml)' },
  home: { type: 'string', value: 'DIR', help: 'state directory (default $REKEY_HOME or ~/.local/state/rekey)' },
  json: { type: 'boolean', help: 'machine-readable output on stdout' },
  'log-level': { type: 'string', value: 'L', help: 'pino level on stderr (default warn)' },
  help: { type: 'boolean', short: 'h', help: 'this help' },
  version: { type: 'boolean', help: "rekey's version" },
} as const satisfies OptionSpecs;

/** Options several commands share, spelled once. */
export const ENV = { type: 'string', short: 'e', value: 'E', help: 'only targets in environment E' } as const satisfies OptionSpec;
export const AGENT = { type: 'string', short: 'a', value: 'A', help: 'only targets of agent A' } as const satisfies OptionSpec;
export const SKIP_SOURCES = { type: 'boolean', help: 'do not look up every credential source (each lookup runs the openclaw CLI)' } as const satisfies OptionSpec;
export const SCRUB = { type: 'boolean', help: 'remove OpenClaw backups (.bak*, .last-good, *.migrated-*) still holding the old value' } as const satisfies OptionSpec;
/** the agent × environment a command acts for (exec, service render) */
export const TARGET = {
  agent: { type: 'string', short: 'a', value: 'A', help: "the target's agent" },
  env: { type: 'string', short: 'e', value: 'E', help: "the target's environment" },
} as const satisfies OptionSpecs;
