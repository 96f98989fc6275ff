#!/usr/bin/env node
import { existsSync, promises as fs, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { ExitCode } from '../core/exit-codes.js';
import { BackendError, InternalError, isRekeyError, PolicyError, UsageError, type RekeyError } from '../core/errors.js';
import { SecretValue } from '../core/secret-value.js';
import { holdsSealedData, loadKey, restoreKeyHint } from '../io/key-file.js';
import { assertStateSafe, prepareStateDir } from '../io/state-dir.js';
import { renderWide, wideFiles } from '../io/file-modes.js';
import { assertOneOwnerOnDisk } from '../io/one-owner.js';
import { sinkTouches } from '../plan/blast-radius.js';
import { planRotation, tokenRole } from '../plan/planner.js';
import { parsePolicy } from '../policy/load.js';
import { policySchema, type Policy } from '../policy/schema.js';
import { pendingReport } from '../rotation/pending.js';
import { put } from '../rotation/put.js';
import { resumeAll } from '../rotation/resume.js';
import { rotate } from '../rotation/rotate.js';
import { status } from '../rotation/status.js';
import { resolveExecEnv } from '../rotation/exec-env.js';
import { adopt } from '../rotation/adopt.js';
import type { RekeyDeps } from '../rotation/context.js';
import { pairedDevices, rotateDeviceToken } from '../rotation/devices.js';
import { resolveIds, type ResolveRequest } from '../rotation/resolve.js';
import { runChild } from '../io/run-child.js';
import { assertSafeTarget, atomicWrite } from '../io/atomic-write.js';
import { renderLaunchdPlist, renderSystemdUnit } from '../../providers/services/render-units.js';
import { HELP, parseArgv, type ParsedArgs } from './args.js';
import { commandHelp, COMMANDS, nearestCommand, version } from './usage.js';
import { buildDeps } from './deps.js';
import { createLogger } from './logger.js';
import { rekeyHome, statePaths } from './paths.js';
import { progressPrinter, renderDevices, renderIssues, renderPlan, renderReport, renderSources, renderStatus } from './render.js';
import { shadowReports } from '../rotation/preflight.js';
import { detectOpenclawCommand } from './detect-openclaw.js';
import { STARTER_POLICY } from './starter-policy.js';
import { decodeSecretInput, MAX_VALUE_BYTES } from './secret-input.js';

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin: (max?: number) => Promise<Buffer>;
  stdinIsTTY: boolean;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** runs `rekey exec`'s command in the foreground, signals forwarded; resolves with its exit code */
  /** how to run rekey itself (for rendered units): [node, path/to/main.js] */
  self?: string[];
  runChild?: (argv: string[], env: NodeJS.ProcessEnv) => Promise<number>;
}

/** the largest policy rekey reads (a policy is a few KiB; /dev/zero or a 50 MB file is a mistake) */
export const MAX_POLICY_BYTES = 1024 * 1024;

async function loadPolicy(file: string, home?: string): Promise<Policy> {
  let text: string;
  try {
    text = (await readBounded(file, MAX_POLICY_BYTES, 'the policy')).toString('utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError('POLICY_NOT_FOUND', `cannot read policy ${file} (${code ?? 'error'})`, { hint: 'run `rekey init`, or pass --policy FILE' });
  }
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

const requireSecret = (a: ParsedArgs): string => {
  const s = a.positionals[0];
  if (!s) throw new UsageError('MISSING_SECRET', `rekey ${a.command.join(' ')} needs a secret name`, { hint: 'rekey --help' });
  return s;
};
const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);

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

/** commands that read or write rekey's state directory */
const STATEFUL = new Set(['plan', 'rotate', 'resume', 'status', 'put', 'openclaw adopt', 'openclaw devices']);

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
    if (a.flags.version) {
      io.stdout(`rekey ${version()}\n`);
      return ExitCode.ok;
    }
    if (a.flags.help || a.command.length === 0) {
      io.stdout(commandHelp(a.command.join(' ')) ?? HELP);
      return a.command.length === 0 && !a.flags.help ? ExitCode.usage : ExitCode.ok;
    }
    if (!(a.command.join(' ') in COMMANDS)) {
      const typed = a.command.join(' ');
      const near = nearestCommand(typed);
      throw new UsageError('UNKNOWN_COMMAND', `unknown command "${typed}"${near ? `: did you mean \`rekey ${near}\`?` : ''}`, { hint: 'rekey --help lists the commands; rekey <command> --help shows one' });
    }
    const log = createLogger(a.global.logLevel);
    const home = rekeyHome(a.global.home, io.env);
    const out = (human: string, data: unknown) => io.stdout(json ? JSON.stringify(data, null, 2) + '\n' : human);
    const progress = json ? undefined : progressPrinter(io.stderr, () => Date.now());
    const depsFor = (policy: Policy | null) => {
      const d = buildDeps({ policy, home, env: io.env, log, signal: io.signal, ...(progress ? { onEvent: progress } : {}) });
      built.push(d);
      return d;
    };
    const filter = { env: str(a.flags.env), agent: str(a.flags.agent) };
    const command = a.command.join(' ');
    // rekey's own state is checked like a sink's file before anything reads or writes it
    if (STATEFUL.has(command)) await assertStateSafe(home);
    /** the one-owner rule on this host's disk (symlinked directories), before a plan or a write */
    const ownersOnDisk = async (policy: Policy, deps: RekeyDeps) => {
      const all = Object.keys(policy.secrets).flatMap((n) => {
        try {
          return planRotation(policy, n, {}, deps.planContext).targets;
        } catch {
          return [];
        }
      });
      await assertOneOwnerOnDisk(all, a.global.policy);
    };

    switch (command) {
      case 'init': {
        const p = statePaths(home);
        await prepareStateDir(p.home);
        await assertStateSafe(p.home);
        await fs.mkdir(p.store, { recursive: true, mode: 0o700 });
        // never a new key next to values an old one sealed: that loses them (and the rollback point)
        if (!io.env.REKEY_LOCAL_KEY && !existsSync(p.key) && (await holdsSealedData([p.store, p.snapshots]))) {
          throw new BackendError('STORE_KEY_MISSING', `the store ${p.store} holds values sealed with a key that is missing (${p.key}); init will not make a new key next to it`, { hint: restoreKeyHint(p.key) });
        }
        await loadKey(p.key, {}, { create: true });
        let wrote = false;
        let note = '';
        let verifier: string[] | null = null;
        if (!existsSync(a.global.policy)) {
          // the verifier runs the openclaw the Gateway unit runs, not whatever is on rekey's PATH
          verifier = await detectOpenclawCommand('openclaw-gateway.service', io.env);
          note = verifier
            ? `verifier: ${verifier.join(' ')} (the openclaw of openclaw-gateway.service's ExecStart=)\n`
            : 'verifier: [openclaw] — openclaw-gateway.service was not found; set verify.command to the openclaw your Gateway runs (it needs Node >= 24.16)\n';
          const text = verifier ? STARTER_POLICY.replace('command: [openclaw]', `command: ${JSON.stringify(verifier)}`) : STARTER_POLICY;
          try {
            await fs.mkdir(dirname(resolve(a.global.policy)), { recursive: true });
            await fs.writeFile(a.global.policy, text, { flag: 'wx', mode: 0o644 });
            wrote = true;
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
          }
        }
        out(`state: ${p.home} (0700), key: ${p.key} (0600)\npolicy: ${resolve(a.global.policy)}${wrote ? ' (starter policy written)' : ' (exists, left as is)'}\n${note}`, { home: p.home, key: p.key, policy: resolve(a.global.policy), policyWritten: wrote, verifierCommand: verifier });
        return ExitCode.ok;
      }
      case 'policy check': {
        const policy = await loadPolicy(a.global.policy, io.env.HOME);
        const n = Object.keys(policy.secrets).length;
        out(`${a.global.policy}: ok (${n} secret(s))\n`, { ok: true, file: a.global.policy, secrets: Object.keys(policy.secrets) });
        return ExitCode.ok;
      }
      case 'policy schema': {
        io.stdout(JSON.stringify(z.toJSONSchema(policySchema, { io: 'input' }), null, 2) + '\n');
        return ExitCode.ok;
      }
      case 'plan': {
        const policy = await loadPolicy(a.global.policy, io.env.HOME);
        const deps = depsFor(policy);
        const plan = planRotation(policy, requireSecret(a), filter, deps.planContext);
        await ownersOnDisk(policy, deps);
        const backendState = await pendingReport(plan, deps);
        const sources = a.flags['skip-sources'] ? [] : await shadowReports(plan, deps, { tolerant: true });
        const devices = await pairedDevices(plan, deps);
        const probes = (await deps.audit.read().catch(() => [])).flatMap((r) => r.probes ?? []).filter((p) => plan.refs.includes(p.ref));
        const lastProbes = plan.refs.map((ref) => probes.filter((p) => p.ref === ref).at(-1)).filter((p) => p !== undefined);
        const probeLines = lastProbes.map((p) => `  last probe of ${p.ref}: ${p.fingerprint} ${p.result} at ${p.at} (${p.detail})`).join('\n');
        const wide = await wideFiles(plan.targets.flatMap((t) => sinkTouches(t).files));
        out(
          renderPlan(plan, deps.planContext.hostname) + renderSources(sources) + renderDevices(devices) + `\nbackend (${plan.backend}):\n${backendState.map((n) => `  ${n}`).join('\n')}\n${probeLines ? probeLines + '\n' : ''}` + renderWide(wide),
          { ...plan, backendState, sources, pairedDevices: devices, lastProbes, wideFiles: wide },
        );
        return ExitCode.ok;
      }
      case 'rotate': {
        const policy = await loadPolicy(a.global.policy, io.env.HOME);
        const deps = depsFor(policy);
        await ownersOnDisk(policy, deps);
        const r = await rotate(policy, requireSecret(a), filter, { dryRun: a.flags['dry-run'] === true, takeOverPending: a.flags['take-over-pending'] === true, scrub: a.flags.scrub === true }, deps);
        if (!json && r.dryRun) io.stdout(renderPlan(r.plan));
        out(renderReport(r), r);
        return r.exitCode;
      }
      case 'resume': {
        const policy = await loadPolicy(a.global.policy, io.env.HOME);
        const reports = await resumeAll(policy, depsFor(policy));
        if (reports.length === 0) {
          out('nothing to resume: every rotation in the journal has finished\n', { resumed: [] });
          return ExitCode.ok;
        }
        out(reports.map(renderReport).join(''), { resumed: reports });
        return Math.max(...reports.map((r) => r.exitCode));
      }
      case 'status': {
        const policy = await loadPolicy(a.global.policy, io.env.HOME);
        const deps = depsFor(policy);
        const s = await status(policy, a.positionals[0], deps);
        // with a secret named: which source really wins for each of its targets here
        const sources = a.positionals[0] && !a.flags['skip-sources'] ? await shadowReports(planRotation(policy, a.positionals[0], filter, deps.planContext), deps, { tolerant: true }) : [];
        const names = a.positionals[0] ? [a.positionals[0]] : Object.keys(policy.secrets);
        const wide = await wideFiles(names.flatMap((n) => planRotation(policy, n, filter, deps.planContext).targets.flatMap((t) => sinkTouches(t).files)));
        out(renderStatus(s) + renderSources(sources) + renderWide(wide), { secrets: s, sources, wideFiles: wide });
        return ExitCode.ok;
      }
      case 'put': {
        // anything after the secret's name may be a key pasted into argv: refused, never echoed
        if (a.positionals.length > 1) throw new UsageError('EXTRA_ARGUMENTS', `rekey put takes one secret name; ${a.positionals.length - 1} more argument(s) were given (not shown: one may be a credential)`, { hint: 'the value comes from stdin only; if you pasted a key on the command line, treat it as exposed (shell history) and rotate it' });
        if (!a.flags.stdin) throw new UsageError('STDIN_REQUIRED', 'rekey put reads the value from stdin only (--stdin): never from argv', { hint: "printf %s \"$KEY\" | rekey put <secret> --env E --stdin" });
        if (io.stdinIsTTY) throw new UsageError('STDIN_IS_TTY', 'stdin is a terminal: pipe the value in instead of typing it', { hint: 'read -rs KEY && printf %s "$KEY" | rekey put <secret> --env E --stdin' });
        const policy = await loadPolicy(a.global.policy, io.env.HOME);
        const raw = decodeSecretInput(await io.readStdin(MAX_VALUE_BYTES + 2), requireSecret(a));
        const r = await put(policy, requireSecret(a), filter, SecretValue.of(raw), depsFor(policy));
        out(`stored ${r.fingerprint} as pending for ${r.refs.join(', ')}; run \`rekey rotate ${r.secret}\` to deliver it\n`, r);
        return ExitCode.ok;
      }
      case 'exec': {
        const agent = str(a.flags.agent);
        const env = str(a.flags.env);
        if (!agent || !env) throw new UsageError('EXEC_NEEDS_TARGET', 'rekey exec needs --agent A and --env E', { hint: 'rekey exec --agent main --env prod -- openclaw gateway run' });
        if (childArgv.length === 0 && !a.flags['dry-run']) throw new UsageError('EXEC_NEEDS_COMMAND', 'rekey exec needs a command after --', { hint: 'rekey exec --agent main --env prod -- openclaw gateway run' });
        const policy = await loadPolicy(a.global.policy, io.env.HOME);
        const deps = depsFor(policy);
        const secrets = a.positionals.length ? a.positionals : undefined;
        const { vars, sources } = await resolveExecEnv(policy, { agent, env, secrets }, deps);
        for (const s of sources) log.info({ envVar: s.envVar, from: s.from, fingerprint: s.fingerprint, target: s.target }, 'exec: injecting credential');
        if (a.flags['dry-run']) {
          out(sources.map((s) => `${s.envVar} ← ${s.from} (${s.fingerprint})\n`).join(''), { command: childArgv, sources });
          return ExitCode.ok;
        }
        if (io.runChild === undefined) throw new InternalError('rekey exec needs a process to run the command in');
        const childEnv: NodeJS.ProcessEnv = { ...io.env };
        for (const [k, v] of Object.entries(vars)) childEnv[k] = v.reveal();
        return await io.runChild(childArgv, childEnv);
      }
      case 'openclaw adopt': {
        const policy = await loadPolicy(a.global.policy, io.env.HOME);
        const r = await adopt(policy, requireSecret(a), filter, { dryRun: a.flags['dry-run'] === true, scrub: a.flags.scrub === true }, depsFor(policy));
        const human = [
          `${r.dryRun ? 'dry run: ' : ''}adopt ${r.secret} (${r.fingerprint})`,
          ...r.steps.map((s) => `  ${s.config}: plan ${s.planFile}; ${s.resolvable ? 'refs resolve' : 'refs do NOT resolve yet'}; ${r.dryRun ? 'would change' : 'changed'} ${s.changedFiles.join(', ') || 'nothing'}${s.warnings.length ? `; warnings: ${s.warnings.join('; ')}` : ''}`),
          ...Object.entries(r.verified).map(([t, d]) => `  ✓ ${t}: ${d}`),
          ...r.residue.map((h) => `  residue: ${h.file} holds a plaintext copy ${h.fingerprints.join(', ')}: ${h.removed ? 'removed' : 'still there (--scrub removes it)'}`),
        ].join('\n');
        out(human + '\n', r);
        return ExitCode.ok;
      }
      case 'openclaw resolve': {
        // an OpenClaw exec secrets provider: JSON request on stdin, JSON response on stdout, nothing else there
        let req: ResolveRequest;
        try {
          req = JSON.parse((await io.readStdin()).toString('utf8')) as ResolveRequest;
          if (!Array.isArray(req.ids) || req.ids.some((x) => typeof x !== 'string')) throw new Error('ids');
        } catch {
          throw new UsageError('RESOLVE_BAD_REQUEST', 'rekey openclaw resolve reads {"protocolVersion":1,"ids":[…]} on stdin (OpenClaw exec SecretRef protocol)');
        }
        if (req.protocolVersion !== 1) throw new UsageError('RESOLVE_PROTOCOL', `protocolVersion ${String(req.protocolVersion)} is not supported (1 is)`);
        const policy = await loadPolicy(a.global.policy, io.env.HOME);
        const { fingerprints, ...res } = await resolveIds(policy, req, depsFor(policy));
        for (const [id, fp] of Object.entries(fingerprints)) log.info({ id, fingerprint: fp }, 'resolved for OpenClaw');
        io.stdout(JSON.stringify(res) + '\n');
        return ExitCode.ok;
      }
      case 'openclaw devices': {
        const policy = await loadPolicy(a.global.policy, io.env.HOME);
        const deps = depsFor(policy);
        const plan = planRotation(policy, requireSecret(a), filter, deps.planContext);
        const server = plan.targets.find((t) => tokenRole(t) === 'server');
        if (!server) throw new UsageError('NO_SERVER_TARGET', `secret "${plan.secret}" has no Gateway-token delivery to a server on this host`, { hint: 'devices belong to a Gateway: name a gateway-token secret with a role: server delivery' });
        const device = str(a.flags.rotate);
        if (device) {
          const role = str(a.flags.role);
          if (!role) throw new UsageError('BAD_ARGUMENTS', 'rekey openclaw devices --rotate ID needs --role (e.g. operator, node)');
          const r = await rotateDeviceToken(plan, server, device, role, deps);
          out(`rotated the ${role} token of device ${device} (the device re-authenticates with it; a shared-token caller never receives it)\n`, { device, role, result: r });
          return ExitCode.ok;
        }
        const devices = await pairedDevices(plan, deps);
        out(renderDevices(devices) || 'no Gateway-token server target\n', { pairedDevices: devices });
        return ExitCode.ok;
      }
      case 'service render': {
        const manager = a.positionals[0];
        const agent = str(a.flags.agent);
        const env = str(a.flags.env);
        if (manager !== 'systemd' && manager !== 'launchd') throw new UsageError('BAD_ARGUMENTS', 'rekey service render needs systemd or launchd', { hint: 'rekey service render launchd --agent main --env prod -- openclaw gateway run' });
        if (!agent || !env || childArgv.length === 0) throw new UsageError('BAD_ARGUMENTS', 'rekey service render needs --agent, --env and a command after --');
        const policy = await loadPolicy(a.global.policy, io.env.HOME);
        await resolveExecEnv(policy, { agent, env }, depsFor(policy)).catch((e: unknown) => {
          // the items may not exist yet (first rotation after install); every other problem is real
          if (!isRekeyError(e) || e.code !== 'EXEC_CREDENTIAL_MISSING') throw e;
        });
        const self = io.self ?? [process.execPath, process.argv[1] ?? 'rekey'];
        const argv = [...self, 'exec', '--policy', resolve(a.global.policy), ...(a.global.home ? ['--home', resolve(a.global.home)] : []), '--agent', agent, '--env', env, '--', ...childArgv];
        const unitEnv: Record<string, string> = { PATH: io.env.PATH ?? '/usr/bin:/bin', REKEY_HOME: home };
        const label = str(a.flags.label) ?? (manager === 'launchd' ? 'ai.openclaw.gateway' : 'OpenClaw Gateway');
        const text =
          manager === 'launchd'
            ? renderLaunchdPlist({ label, argv, env: unitEnv, logDir: `${io.env.HOME ?? '~'}/Library/Logs/rekey` })
            : renderSystemdUnit({ label, argv, env: unitEnv });
        const outFile = str(a.flags.out);
        if (!outFile) {
          io.stdout(text);
          return ExitCode.ok;
        }
        await assertSafeTarget(resolve(outFile), process.getuid?.() ?? 0);
        await atomicWrite(resolve(outFile), Buffer.from(text, 'utf8'), { mode: 0o600 });
        out(`wrote ${outFile} (0600)\n`, { file: outFile, manager, argv });
        return ExitCode.ok;
      }
      default:
        throw new UsageError('UNKNOWN_COMMAND', `unknown command "${a.command.join(' ')}"`, { hint: 'rekey --help' }); // unreachable: COMMANDS is checked above
    }
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
