import { randomBytes } from 'node:crypto';
import { UsageError } from '../core/errors.js';
import { hostname, userInfo } from 'node:os';
import { findResidueValues, removeResidue, scanResidue } from '../io/residue-scan.js';
import { createNativeKeychainStore, type KeychainStore } from '../../providers/sinks/keychain-store.js';
import type { Logger } from '../core/logger.js';
import type { Issuer, KeyProbe, SecretBackend, ServiceManager, Sink, Verifier } from '../core/ports.js';
import { SecretValue } from '../core/secret-value.js';
import { createExec } from '../io/exec.js';
import { createMemoExec, type MemoExec } from '../io/memo-exec.js';
import { createFileAuditLog } from '../io/file-audit-log.js';
import { createAuditLog } from '../io/audit-devices.js';
import { ciIdentity } from './ci-identity.js';
import { createFileJournal } from '../io/file-journal.js';
import { createFileRetirementLog } from '../io/file-retirements.js';
import { createFileLockManager } from '../io/file-lock.js';
import { createFileSnapshotStore } from '../io/file-snapshot-store.js';
import { loadKey } from '../io/key-file.js';
import { readNoFollow } from '../io/atomic-write.js';
import { parseEnvBytes } from '../io/env-file.js';
import { systemClock } from '../io/system-clock.js';
import { expandHome } from '../plan/planner.js';
import type { Policy } from '../policy/schema.js';
import type { Target } from '../core/target.js';
import type { RekeyDeps } from '../usecases/context.js';
import { createRetry } from '../rotation/retry.js';
import type { JournalEvent } from '../rotation/state.js';
import { statePaths } from './paths.js';
import { createProviderProbe } from '../../providers/probes/provider-probe.js';
import { providerBaseUrl } from '../../providers/probes/base-url.js';
import { processUptimeMs } from '../../providers/services/proc-environ.js';
import { createHostInfo } from '../io/host-info.js';
import { resolveOwner } from '../../providers/sinks/owner.js';
import { startsThroughRekeyExec } from '../usecases/preflight.js';
import type { ConsumerView } from '../../providers/verifiers/openclaw-models-status.js';
import { catalog, registry, type AdapterRuntime } from '../../providers/registry.js';
import { createOpenclawCli } from '../../providers/openclaw/index.js';

/** what a service manager puts in every unit's environment: not the consumer's own settings */
const MANAGER_VARS = new Set(['INVOCATION_ID', 'JOURNAL_STREAM', 'NOTIFY_SOCKET', 'LISTEN_FDS', 'LISTEN_PID', 'LISTEN_FDNAMES', 'WATCHDOG_PID', 'WATCHDOG_USEC', 'MANAGERPID', 'SYSTEMD_EXEC_PID', 'MAINPID']);

// non-secret variables child processes (openclaw, systemctl, an exec SecretRef's rekey openclaw resolve) need
const PASS_THROUGH = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'TZ', 'XDG_RUNTIME_DIR', 'XDG_CONFIG_HOME', 'XDG_STATE_HOME', 'NODE_EXTRA_CA_CERTS', 'DBUS_SESSION_BUS_ADDRESS', 'REKEY_HOME'];

function memo<T>(make: (k: string) => T): (k: string) => T {
  const m = new Map<string, T>();
  return (k) => {
    let v = m.get(k);
    if (v === undefined) m.set(k, (v = make(k)));
    return v;
  };
}

/** The composition root: the only place that builds real ports. */
export function buildDeps(opts: {
  policy: Policy | null;
  home: string;
  env: NodeJS.ProcessEnv;
  log: Logger;
  signal: AbortSignal;
  onEvent?: (e: JournalEvent) => void;
}): RekeyDeps {
  const { env, log } = opts;
  const paths = statePaths(opts.home);
  // one run's memory of read-only openclaw calls (io/memo-exec.ts): sinks' writes forget it
  const exec = createMemoExec(createExec());
  const clock = systemClock;
  const userHome = env.HOME ?? userInfo().homedir;
  const keyOnce = memo(() => loadKey(paths.key, env));
  const key = () => keyOnce('k');
  const baseEnv: Record<string, string> = {};
  for (const k of PASS_THROUGH) if (env[k] !== undefined) baseEnv[k] = env[k] as string;

  const closers: (() => Promise<void>)[] = [];
  let keychainStore: KeychainStore | undefined;
  const rt: AdapterRuntime = {
    exec,
    clock,
    log,
    env,
    baseEnv,
    home: userHome,
    uid: userInfo().uid,
    store: { dir: paths.store, keyFile: paths.key, loadKey: (file) => (file === paths.key ? key() : loadKey(file, env)) },
    keychain: () => (keychainStore ??= createNativeKeychainStore()),
    openclaw: createOpenclawCli({ exec, baseEnv, home: userHome, planDir: `${paths.home}/adopt`, service: (svc) => service(svc), adapters: catalog, consumerEnv: async (t, signal) => (await consumer(t, signal)).vars }),
    sink: (kind) => sink(kind),
    consumer: (t, signal) => consumer(t, signal),
    probe: (t, value, signal) => keyProbe(t, value, signal),
    alive: (t, proc, aliveMs, signal) => aliveCheck(t, proc, aliveMs, signal),
    readFile: async (p) => (await readNoFollow(p))?.toString('utf8') ?? null,
    onClose: (fn) => void closers.push(fn),
    expandHome: (p) => expandHome(p, userHome),
    readSecret: async (r, signal) => {
      const v = await backend(r.backend).read(r.ref, 'current', signal);
      if (!v) throw new UsageError('ADMIN_KEY_MISSING', `no value at ${r.backend}:${r.ref}`, { hint: `store it: printf %s "$KEY" | rekey store ${r.backend} ${r.ref} --stdin` });
      return v.value;
    },
  };
  const backend = memo((name: string): SecretBackend => {
    const cfg = opts.policy?.backends[name];
    if (!cfg) throw new UsageError('UNKNOWN_BACKEND', `no backend "${name}" in the policy`);
    return registry.backend(cfg.kind).create(cfg as never, rt, name);
  });
  // one manager per configured service (a launchd job's domain and plist come from its config)
  const managers = new Map<string, ServiceManager>();
  const service = (svc: NonNullable<Target['service']>): ServiceManager => {
    const k = `${svc.kind}\0${svc.name}`;
    let m = managers.get(k);
    if (!m) managers.set(k, (m = registry.service(svc.kind).create(svc as never, rt)));
    return m;
  };
  const sink = memo((kind: string): Sink => forgetsOnWrite(registry.sink(kind).create(rt), exec));
  /**
   * What a target's consumer holds. With a service that runs: the real environment of its process
   * (/proc/<MainPID>/environ; the child of `rekey exec` for deliveries it reads at start), never
   * rebuilt from files. A service manager that cannot see processes (launchd), or a unit that is
   * not running yet: the environment it gets at its next start (its files, and what `rekey exec` adds).
   */
  const consumer = async (t: Target, signal: AbortSignal): Promise<ConsumerView> => {
    const vars: Record<string, SecretValue> = {};
    const reads = catalog.sink(t.sink.kind).reads(t.sink);
    const viaExecSink = reads === 'exec-env';
    if (t.service) {
      const svc = service(t.service);
      const viaExec = viaExecSink && startsThroughRekeyExec(await svc.startCommand(t.service.unit, signal), t.agent, t.env);
      const proc = svc.seesProcesses ? await svc.running(t.service.unit, signal, { child: viaExec }) : null;
      if (proc) {
        for (const [k, v] of Object.entries(proc.env)) if (!MANAGER_VARS.has(k)) vars[k] = v;
        return { vars, process: { pid: proc.pid, unit: t.service.unit, child: viaExec }, seesProcesses: true };
      }
      Object.assign(vars, (await svc.environment(t.service.unit, signal)).vars);
      if (viaExecSink) {
        const v = await sink(t.sink.kind).read(t, signal);
        if (v) vars[t.envVar] = v;
        else delete vars[t.envVar];
      }
      return { vars, process: null, seesProcesses: svc.seesProcesses };
    }
    if (reads === 'env-file') {
      for (const file of catalog.sink(t.sink.kind).touches(t.sink, t).files) {
        const bytes = await readNoFollow(file);
        for (const [k, v] of parseEnvBytes(bytes ?? Buffer.alloc(0))) vars[k] = SecretValue.of(v);
      }
    }
    if (viaExecSink) {
      const v = await sink(t.sink.kind).read(t, signal);
      if (v) vars[t.envVar] = v;
    }
    return { vars, process: null, seesProcesses: false };
  };
  let providerProbe: ReturnType<typeof createProviderProbe> | undefined;
  const keyProbe: KeyProbe = async (t, value, signal) => (providerProbe ??= createProviderProbe({ clock })).probe(t.provider ?? '', await providerBaseUrl(t, userHome), value, signal);
  /** the unit still runs the process `pid` (active, same main PID) once it has been up `aliveMs` */
  const aliveCheck = async (t: Target, proc: { pid: number; child: boolean }, aliveMs: number, signal: AbortSignal): Promise<string | null> => {
    if (!t.service) return null;
    const pid = proc.pid;
    const up = await processUptimeMs(pid);
    if (up !== null && up < aliveMs) await clock.sleep(aliveMs - up, signal);
    const now = await service(t.service).running(t.service.unit, signal, { child: proc.child });
    if (!now) return `user unit ${t.service.unit} is no longer running (its process ${pid} exited within ${aliveMs} ms of its start)`;
    if (now.pid !== pid) return `user unit ${t.service.unit} restarted during verification (pid ${pid} → ${now.pid})`;
    return null;
  };
  const verifier = memo((kind: string): Verifier => registry.verifier(kind).create(rt));
  const issuer = memo((name: string): Issuer => {
    const cfg = opts.policy?.issuers[name];
    if (!cfg) throw new UsageError('UNKNOWN_ISSUER', `no issuer "${name}" in the policy`);
    return registry.issuer(cfg.kind).create(cfg as never, rt, opts.signal);
  });

  const host = env.REKEY_HOSTNAME || hostname();
  /** the chain's head, kept in a shared backend (policy audit.anchor): best effort, the run already happened */
  const anchorHead = async (head: { seq: number; hash: string }) => {
    const a = opts.policy?.audit?.anchor;
    if (!a) return;
    const ref = a.ref.replaceAll('{host}', host);
    try {
      await backend(a.backend).writeAnchor!(ref, { ...head, host, at: clock.now().toISOString() }, AbortSignal.timeout(15_000));
    } catch (e) {
      log.warn({ backend: a.backend, ref, code: (e as { code?: string }).code }, `the audit chain's head could not be anchored: ${(e as Error).message}`);
    }
  };
  const user = userInfo();
  const ci = ciIdentity(env);
  const stepTimeoutMs = Number(env.REKEY_STEP_TIMEOUT_MS ?? 5 * 60_000);
  return {
    backend,
    close: async () => void (await Promise.allSettled(closers.map((c) => c()))),
    sink,
    service,
    verifier,
    journal: createFileJournal(paths.journal),
    snapshots: createFileSnapshotStore(paths.snapshots, key),
    locks: createFileLockManager(paths.locks, () => clock.now()),
    audit: createAuditLog(createFileAuditLog(paths.audit, { onAppend: anchorHead, ...(env.REKEY_AUDIT_MAX_BYTES ? { maxBytes: Number(env.REKEY_AUDIT_MAX_BYTES) } : {}) }), paths.audit, opts.policy?.audit?.devices ?? [{ kind: 'file' }], { exec, warn: (m) => log.warn({}, m) }),
    clock,
    random: { id: () => randomBytes(12).toString('hex'), bytes: (n) => randomBytes(n) },
    log,
    retry: createRetry({ clock, log, jitter: Math.random, attemptTimeoutMs: stepTimeoutMs }),
    actor: { user: user.username, uid: user.uid, host: hostname(), pid: process.pid, ...(ci ? { ci } : {}) },
    planContext: { hostname: host, home: userHome, adapters: catalog },
    signal: opts.signal,
    residue: { scan: scanResidue, find: findResidueValues, remove: removeResidue },
    probe: keyProbe,
    openclaw: rt.openclaw,
    host: createHostInfo({ now: () => clock.now().getTime(), ownerUid: resolveOwner }),
    issuer,
    retirements: createFileRetirementLog(paths.retirements),
    // node:http(s) load only for a run that notifies (a few tens of ms of every start otherwise)
    http: async (...args) => (await import('../io/http-post.js')).httpPost(...args),
    exec,
    rollbackTimeoutMs: 5 * 60_000,
    stepTimeoutMs,
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    ...crashHook(env),
  };
}

/** a sink whose writes and restores make the run forget what read-only calls answered before */
function forgetsOnWrite(s: Sink, exec: MemoExec): Sink {
  return {
    ...s,
    write: async (t, v, signal) => {
      try {
        return await s.write(t, v, signal);
      } finally {
        exec.forget();
      }
    },
    restore: async (t, snap, signal) => {
      try {
        return await s.restore(t, snap, signal);
      } finally {
        exec.forget();
      }
    },
  };
}

/**
 * Fault injection for the crash tests: REKEY_CRASH_AFTER=N kills this process with SIGKILL right
 * after the N-th journal append of this run (the record is already fsync'd), as a power loss would.
 */
function crashHook(env: NodeJS.ProcessEnv): Pick<RekeyDeps, 'afterAppend'> {
  const n = Number(env.REKEY_CRASH_AFTER ?? '0');
  if (!Number.isInteger(n) || n <= 0) return {};
  let count = 0;
  return {
    afterAppend() {
      if (++count === n) process.kill(process.pid, 'SIGKILL');
    },
  };
}
