#!/usr/bin/env node
import { setMaxListeners } from 'node:events';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ExitCode } from '../core/exit-codes.js';
import { InternalError, isRekeyError, PolicyError, UsageError, type RekeyError } from '../core/errors.js';
import { assertStateSafe } from '../io/state-dir.js';
import { assertOneOwnerOnDisk } from '../io/one-owner.js';
import type { Policy } from '../policy/schema.js';
import type { RekeyDeps } from '../usecases/context.js';
import { runChild } from '../io/run-child.js';
import { HELP, parseArgv } from './args.js';
import type { CliIo } from './commands/context.js';
import { commandHelp, nearestCommand, version } from './usage.js';
import { createLogger } from './logger.js';
import { rekeyHome } from './paths.js';
import { progressPrinter, renderIssues } from './render.js';

export type { CliIo } from './commands/context.js';
export { MAX_POLICY_BYTES } from './commands/context.js';

/**
 * Third-party debug output is a leak channel: with DEBUG set, axios' follow-redirects prints
 * request options, X-Vault-Token included. `DEBUG` is removed before any such module loads (the
 * SDKs are imported lazily); `NODE_DEBUG` for network modules is read by Node at start-up, too
 * early to undo, so it is refused.
 */
function guardDebugEnv(io: CliIo): void {
  // any value: Node reads NODE_DEBUG at start-up and matches it with wildcards ('*', 'ht*', 'h*p',
  // case-insensitive), so no list of module names can tell a safe value from one that prints traffic
  for (const name of ['NODE_DEBUG', 'NODE_DEBUG_NATIVE']) {
    const v = io.env[name];
    if (v !== undefined && v.trim() !== '') {
      throw new UsageError('NODE_DEBUG_REFUSED', `${name}=${v.slice(0, 60)} would print network traffic, credentials included`, { hint: `unset ${name}; use --log-level debug (or trace) for rekey's own logs, which carry fingerprints only` });
    }
  }
  // the \`debug\` package (axios, follow-redirects…) reads DEBUG when first loaded: removed before any network module loads
  const dropped = ['DEBUG', 'DEBUG_DEPTH', 'DEBUG_SHOW_HIDDEN'].filter((k) => io.env[k] !== undefined);
  if (dropped.length) {
    io.stderr(`rekey: ${dropped.join(', ')} ignored: third-party debug output can print credentials (use --log-level debug)\n`);
    for (const k of dropped) delete io.env[k];
  }
}

/** Runs one command; returns the exit code. The only place errors become exit codes. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  let json = argv.includes('--json');
  const built: RekeyDeps[] = [];
  try {
    guardDebugEnv(io);
    // everything after the first `--` is a command line (rekey exec), never parsed as options
    const dd = argv.indexOf('--');
    const childArgv = dd >= 0 ? argv.slice(dd + 1) : [];
    const a = parseArgv(dd >= 0 ? argv.slice(0, dd) : argv, io.env);
    json = a.global.json;
    if (a.global.version) {
      io.stdout(`rekey ${version()}\n`);
      return ExitCode.ok;
    }
    if (a.global.help || a.command.length === 0) {
      io.stdout(commandHelp(a.command.join(' ')) ?? HELP);
      return a.command.length === 0 && !a.global.help ? ExitCode.usage : ExitCode.ok;
    }
    const spec = a.spec;
    if (!spec) {
      const typed = a.command.join(' ');
      const near = nearestCommand(typed);
      throw new UsageError('UNKNOWN_COMMAND', `unknown command "${typed}"${near ? `: did you mean \`rekey ${near}\`?` : ''}`, { hint: 'rekey --help lists the commands; rekey <command> --help shows one' });
    }
    const log = createLogger(a.global.logLevel);
    const home = rekeyHome(a.global.home, io.env);
    const out = (human: string, data: unknown) => io.stdout(json ? JSON.stringify(data, null, 2) + '\n' : human);
    const progress = json ? undefined : progressPrinter(io.stderr, () => Date.now());
    // the composition root, every adapter and the policy schema load only for a command that runs
    const [{ buildDeps }, { planRotation }] = await Promise.all([import('./deps.js'), import('../plan/planner.js')]);
    const depsFor = (policy: Policy | null) => {
      const d = buildDeps({ policy, home, env: io.env, log, signal: io.signal, ...(progress ? { onEvent: progress } : {}) });
      built.push(d);
      return d;
    };
    const opt = (k: string) => (typeof a.opts[k] === 'string' ? (a.opts[k] as string) : undefined);
    const filter = { env: opt('env'), agent: opt('agent') };
    // rekey's own state is checked like a sink's file before anything reads or writes it
    if (spec.stateful) await assertStateSafe(home);
    /** the one-owner rule on this host's disk (symlinked directories), before a plan or a write */
    const ownersOnDisk = async (policy: Policy, deps: RekeyDeps) => {
      const all = Object.keys(policy.secrets).flatMap((n) => {
        try {
          return planRotation(policy, n, {}, deps.planContext).targets;
        } catch {
          return [];
        }
      });
      await assertOneOwnerOnDisk(all, deps.planContext.adapters, a.global.policy);
    };

    return await spec.run({ a, io, json, childArgv, home, log, filter, out, depsFor, ownersOnDisk }, a.opts as never);
  } catch (e) {
    const err: RekeyError = isRekeyError(e) ? e : new InternalError(`unexpected error: ${(e as Error)?.message ?? String(e)}`, { cause: e });
    if (json) {
      io.stdout(JSON.stringify(err.toJSON(), null, 2) + '\n');
    } else if (err instanceof PolicyError) {
      io.stderr(renderIssues(String(err.details.file), err.issues));
    } else {
      io.stderr(`rekey: ${err.message}\n${err.hint ? `  hint: ${err.hint}\n` : ''}`);
    }
    if (err.exitCode === ExitCode.internal) io.stderr(`${(e as Error)?.stack ?? ''}\n`);
    return err.exitCode;
  } finally {
    await Promise.allSettled(built.map((d) => d.close?.()));
  }
}

/** stdin, whole, or at most `max` bytes (the rest is not read: the caller refuses the value as too large) */
async function readAll(stream: NodeJS.ReadStream, max = Infinity): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of stream) {
    chunks.push(c as Buffer);
    n += (c as Buffer).length;
    if (n > max) break;
  }
  return Buffer.concat(chunks);
}

const invokedAs = (() => {
  try {
    return pathToFileURL(realpathSync(process.argv[1] ?? '')).href;
  } catch {
    return '';
  }
})();
/**
 * The AWS SDK warns on every start under Node 20 that releases after January 2027 need Node 22.
 * rekey pins a release that supports Node 20 (README), so that one named warning is dropped;
 * every other warning is printed as usual.
 */
function dropSdkNodeVersionWarning(): void {
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const o = rest[0];
    const type = typeof o === 'string' ? o : (o as { type?: string } | undefined)?.type;
    const text = typeof warning === 'string' ? warning : warning.name;
    if (type === 'NodeVersionSupportWarning' || text.startsWith('NodeVersionSupportWarning')) return;
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
}

/** The process entry: signals, stdio, exit code (bin.ts calls it after its fast --help/--version path). */
export function runCli(): void {
  dropSdkNodeVersionWarning();
  const ac = new AbortController();
  // every child, timeout and sleep of a run listens on this one signal (and removes itself after):
  // with --max-parallel N, more than Node's default of 10 wait at once, which is not a leak
  setMaxListeners(256, ac.signal);
  let interrupts = 0;
  let execMode = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (execMode) return; // `rekey exec` forwards signals to its command (src/io/run-child.ts)
    if (++interrupts > 1) process.exit(130);
    process.stderr.write(`rekey: ${sig}: stopping; anything delivered is rolled back (again to abort at once; then run \`rekey resume\`)\n`);
    ac.abort(new Error(`interrupted by ${sig}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  main(process.argv.slice(2), {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    readStdin: (max?: number) => readAll(process.stdin, max),
    stdinIsTTY: process.stdin.isTTY === true,
    env: process.env,
    signal: ac.signal,
    self: [process.execPath, realpathSync(process.argv[1] ?? '')],
    runChild: (argv, env) => {
      execMode = true;
      return runChild(argv, env);
    },
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`rekey: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = ExitCode.internal;
    },
  );
}

if (import.meta.url === invokedAs) runCli();
