import { promises as fs } from 'node:fs';
import { UsageError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { PlanFilter } from '../../plan/planner.js';
import type { Policy } from '../../policy/schema.js';
import type { RekeyDeps } from '../../usecases/context.js';
import type { ParsedArgs } from '../args.js';

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin: (max?: number) => Promise<Buffer>;
  stdinIsTTY: boolean;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** how to run rekey itself (for rendered units): [node, path/to/main.js] */
  self?: string[];
  /** runs `rekey exec`'s command in the foreground, signals forwarded; resolves with its exit code */
  runChild?: (argv: string[], env: NodeJS.ProcessEnv) => Promise<number>;
}

/** What every command gets from the CLI entry (src/cli/main.ts): parsed arguments, io, and the ports. */
export interface CommandContext {
  a: ParsedArgs;
  io: CliIo;
  json: boolean;
  /** everything after `--` (rekey exec, service render) */
  childArgv: string[];
  home: string;
  log: Logger;
  filter: PlanFilter;
  /** human text, or `data` as JSON with --json */
  out(human: string, data: unknown): void;
  /** the composition root's ports for this policy (closed by the entry at the end) */
  depsFor(policy: Policy | null): RekeyDeps;
  /** the one-owner rule on this host's disk, before a plan or a write */
  ownersOnDisk(policy: Policy, deps: RekeyDeps): Promise<void>;
}

/** the largest policy rekey reads (a policy is a few KiB; /dev/zero or a 50 MB file is a mistake) */
export const MAX_POLICY_BYTES = 1024 * 1024;

export async function loadPolicy(file: string, home?: string): Promise<Policy> {
  let text: string;
  try {
    text = (await readBounded(file, MAX_POLICY_BYTES, 'the policy')).toString('utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError('POLICY_NOT_FOUND', `cannot read policy ${file} (${code ?? 'error'})`, { hint: 'run `rekey init`, or pass --policy FILE' });
  }
  // the registry (every adapter's schema) is loaded only by commands that read a policy
  const { parsePolicy } = await import('../../../providers/registry.js');
  return parsePolicy(text, file, home ? { home } : {});
}

/** read at most `max` bytes (streamed: a device or a huge file is never read whole); more is a UsageError */
async function readBounded(file: string, max: number, what: string): Promise<Buffer> {
  const fh = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(max + 1);
    let n = 0;
    while (n <= max) {
      const { bytesRead } = await fh.read(buf, n, max + 1 - n, null);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    if (n > max) throw new UsageError('POLICY_TOO_LARGE', `${what} ${file} is larger than ${max / 1024} KiB`, { hint: 'is --policy pointing at the right file?' });
    return buf.subarray(0, n);
  } finally {
    await fh.close();
  }
}

export const requireSecret = (a: ParsedArgs): string => {
  const s = a.positionals[0];
  if (!s) throw new UsageError('MISSING_SECRET', `rekey ${a.command.join(' ')} needs a secret name`, { hint: `rekey ${a.command.join(' ')} --help` });
  return s;
};
