import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { createLocalBackend } from '../../providers/backends/local.js';
import { createSystemdUserService } from '../../providers/services/systemd-user.js';
import { createSystemdEnvFileSink } from '../../providers/sinks/systemd-env-file.js';
import { createOpenclawSecretrefFileSink } from '../../providers/sinks/openclaw-secretref-file.js';
import { createLaunchdService } from '../../providers/services/launchd.js';
import { createOpenclawAuthProfileSink } from '../../providers/sinks/openclaw-auth-profile.js';
import { removeResidue, scanResidue } from '../io/residue-scan.js';
import { observeSources } from '../../providers/openclaw-sources.js';
import { secretsApply } from '../../providers/openclaw-secrets-apply.js';
import { secretsReload } from '../../providers/openclaw-cli.js';
import { listDevices, rotateDevice } from '../../providers/openclaw-devices.js';
import { createOpenclawConfigTokenSink } from '../../providers/sinks/openclaw-config-token.js';
import { createOpenclawGatewayProbeVerifier } from '../../providers/verifiers/openclaw-gateway-probe.js';
import { createKeychainSink } from '../../providers/sinks/keychain.js';
import { createNativeKeychainStore, type KeychainStore } from '../../providers/sinks/keychain-store.js';
import { createOpenclawSecretsAuditVerifier } from '../../providers/verifiers/openclaw-secrets-audit.js';
import { createNoneVerifier } from '../../providers/verifiers/none.js';
import { createOpenclawModelsStatusVerifier } from '../../providers/verifiers/openclaw-models-status.js';
import { UsageError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { KeyProbe, SecretBackend, ServiceManager, Sink, Verifier } from '../core/ports.js';
import { SecretValue } from '../core/secret-value.js';
import { createExec } from '../io/exec.js';
import { createFileAuditLog } from '../io/file-audit-log.js';
import { createAuditLog } from '../io/audit-devices.js';
import { ciIdentity } from './ci-identity.js';
import { createFileJournal } from '../io/file-journal.js';
import { createFileLockManager } from '../io/file-lock.js';
import { createFileSnapshotStore } from '../io/file-snapshot-store.js';
import { loadKey } from '../io/key-file.js';
import { readNoFollow } from '../io/atomic-write.js';
import { parseEnvBytes } from '../io/env-file.js';
import { systemClock } from '../io/system-clock.js';
import { expandHome } from '../plan/planner.js';
import type { Policy } from '../policy/schema.js';
import { openclawOf, type Target } from '../core/target.js';
import type { RekeyDeps } from '../rotation/context.js';
import { createRetry } from '../rotation/retry.js';
import type { JournalEvent } from '../rotation/state.js';
import { statePaths } from './paths.js';
import { createProviderProbe } from '../../providers/probes/provider-probe.js';
import { providerBaseUrl } from '../../providers/probes/base-url.js';
import { processUptimeMs } from '../../providers/services/proc-environ.js';
import { startsThroughRekeyExec } from '../rotation/preflight.js';
import type { ConsumerView } from '../../providers/verifiers/openclaw-models-status.js';

import { lazyBackend } from './lazy-backend.js';

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
  const exec = createExec();
  const clock = systemClock;
  const userHome = env.HOME ?? userInfo().homedir;
  const keyOnce = memo(() => loadKey(paths.key, env));
  const key = () => keyOnce('k');
  const baseEnv: Record<string, string> = {};
  for (const k of PASS_THROUGH) if (env[k] !== undefined) baseEnv[k] = env[k] as string;

  const closers: (() => Promise<void>)[] = [];
  const backend = memo((name: string): SecretBackend => {
    const cfg = opts.policy?.backends[name];
    if (!cfg) throw new UsageError('UNKNOWN_BACKEND', `no backend "${name}" in the policy`);
    switch (cfg.kind) {
      case 'aws-secrets-manager':
        return lazyBackend('aws-secrets-manager', { nativeStages: true, checkAndSet: false, scope: 'shared', firstVersionIsCurrent: true }, async () => {
          const [{ SecretsManagerClient }, { createAwsSecretsManagerBackend }] = await Promise.all([
            import('@aws-sdk/client-secrets-manager'),
            import('../../providers/backends/aws-secrets-manager.js'),
          ]);
          const client = new SecretsManagerClient({
            ...(cfg.region ? { region: cfg.region } : {}),
            ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}),
            ...(cfg.profile ? { profile: cfg.profile } : {}),
            // one retry layer: rekey's (src/rotation/retry.ts)
            maxAttempts: 1,
            requestHandler: { requestTimeout: cfg.requestTimeoutMs, connectionTimeout: Math.min(cfg.requestTimeoutMs, 5_000) },
          });
          return createAwsSecretsManagerBackend(cfg, client);
        });
      case 'vault':
        return lazyBackend('vault', { nativeStages: false, checkAndSet: true, scope: 'shared' }, async () => {
          const [{ createVaultBackend }, { createVaultClient }] = await Promise.all([import('../../providers/backends/vault.js'), import('../../providers/backends/vault-client.js')]);
          let client: ReturnType<typeof createVaultClient> | undefined;
          // a failed login or mount check is not cached: the retry layer tries again
          const connect = () =>
            (client ??= createVaultClient(cfg, env, { warn: (msg) => log.warn({ backend: name }, msg) }).catch((e: unknown) => {
              client = undefined;
              throw e;
            }));
          closers.push(async () => (await client?.catch(() => null))?.close());
          return createVaultBackend(cfg, { client: connect });
        });
      case 'local': {
        const dir = cfg.path ? expandHome(cfg.path, userHome) : paths.store;
        const keyFile = cfg.keyFile ? expandHome(cfg.keyFile, userHome) : paths.key;
        const k = keyFile === paths.key ? key : memo(() => loadKey(keyFile, env)).bind(null, 'k');
        return createLocalBackend({ dir, key: k, now: () => clock.now(), keyFile });
      }
    }
  });
  const service = memo((kind: string): ServiceManager => {
    switch (kind) {
      case 'systemd-user':
        return createSystemdUserService({ exec, clock, env: baseEnv });
      case 'launchd': {
        const launchd = Object.values(opts.policy?.services ?? {}).filter((s) => s.kind === 'launchd');
        // a label may be a template ({agent}, {env}): match the filled label against it
        const matches = (template: string, label: string) => new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(agent|env|secret|provider)\\?\}/g, '[^/]+')}$`).test(label);
        const byLabel = (label: string) => launchd.find((s) => s.unit === label || matches(s.unit, label));
        return createLaunchdService({
          exec,
          clock,
          uid: userInfo().uid,
          home: userHome,
          domain: (l) => byLabel(l)?.domain ?? 'gui',
          plistPath: (l) => expandHome(byLabel(l)?.plist ?? `~/Library/LaunchAgents/${l}.plist`, userHome),
          readFile: async (p) => (await readNoFollow(p))?.toString('utf8') ?? null,
        });
      }
      default:
        throw new UsageError('UNKNOWN_SERVICE_KIND', `no service manager of kind "${kind}"`);
    }
  });
  let keychainStore: KeychainStore | undefined;
  const keychain = () => (keychainStore ??= createNativeKeychainStore());
  const sink = memo((kind: string): Sink => {
    switch (kind) {
      case 'systemd-env-file':
        return createSystemdEnvFileSink();
      case 'openclaw-secretref-file':
        return createOpenclawSecretrefFileSink({ exec, baseEnv });
      case 'keychain':
        return createKeychainSink(keychain(), (t, signal) => (t.sink.kind === 'keychain' && t.sink.reload ? secretsReload(exec, t.sink.reload, baseEnv, t.id, signal) : Promise.resolve()));
      case 'openclaw-auth-profile':
        return createOpenclawAuthProfileSink({ exec, baseEnv });
      case 'openclaw-config-token':
        return createOpenclawConfigTokenSink({ exec, baseEnv, home: userHome });
      default:
        throw new UsageError('UNKNOWN_SINK_KIND', `no sink of kind "${kind}"`);
    }
  });
  /**
   * What a target's consumer holds. With a service that runs: the real environment of its process
   * (/proc/<MainPID>/environ; the child of `rekey exec` for keychain deliveries), never rebuilt from
   * files. A service manager that cannot see processes (launchd), or a unit that is not running
   * yet: the environment it gets at its next start (its files, and what `rekey exec` adds).
   */
  const consumer = async (t: Target, signal: AbortSignal): Promise<ConsumerView> => {
    const vars: Record<string, SecretValue> = {};
    if (t.service) {
      const svc = service(t.service.kind);
      const viaExec = t.sink.kind === 'keychain' && startsThroughRekeyExec(await svc.startCommand(t.service.unit, signal), t.agent, t.env);
      const proc = svc.seesProcesses ? await svc.running(t.service.unit, signal, { child: viaExec }) : null;
      if (proc) {
        for (const [k, v] of Object.entries(proc.env)) if (!MANAGER_VARS.has(k)) vars[k] = v;
        return { vars, process: { pid: proc.pid, unit: t.service.unit, child: viaExec }, seesProcesses: true };
      }
      Object.assign(vars, (await svc.environment(t.service.unit, signal)).vars);
      if (t.sink.kind === 'keychain') {
        const v = await sink('keychain').read(t, signal);
        if (v) vars[t.envVar] = v;
        else delete vars[t.envVar];
      }
      return { vars, process: null, seesProcesses: svc.seesProcesses };
    }
    if (t.sink.kind === 'systemd-env-file') {
      const bytes = await readNoFollow(t.sink.path);
      for (const [k, v] of parseEnvBytes(bytes ?? Buffer.alloc(0))) vars[k] = SecretValue.of(v);
    }
    if (t.sink.kind === 'keychain') {
      const v = await sink('keychain').read(t, signal);
      if (v) vars[t.envVar] = v;
    }
    return { vars, process: null, seesProcesses: false };
  };
  const consumerEnv = async (t: Target, signal: AbortSignal) => (await consumer(t, signal)).vars;
  let providerProbe: ReturnType<typeof createProviderProbe> | undefined;
  const keyProbe: KeyProbe = async (t, value, signal) => (providerProbe ??= createProviderProbe({ clock })).probe(t.provider ?? '', await providerBaseUrl(t, userHome), value, signal);
  /** the unit still runs the process `pid` (active, same main PID) once it has been up `aliveMs` */
  const aliveCheck = async (t: Target, proc: { pid: number; child: boolean }, aliveMs: number, signal: AbortSignal): Promise<string | null> => {
    if (!t.service) return null;
    const pid = proc.pid;
    const up = await processUptimeMs(pid);
    if (up !== null && up < aliveMs) await clock.sleep(aliveMs - up, signal);
    const now = await service(t.service.kind).running(t.service.unit, signal, { child: proc.child });
    if (!now) return `user unit ${t.service.unit} is no longer running (its process ${pid} exited within ${aliveMs} ms of its start)`;
    if (now.pid !== pid) return `user unit ${t.service.unit} restarted during verification (pid ${pid} → ${now.pid})`;
    return null;
  };
  const verifier = memo((kind: string): Verifier => {
    switch (kind) {
      case 'openclaw-models-status':
        return createOpenclawModelsStatusVerifier({ exec, baseEnv, consumer, probe: keyProbe, alive: aliveCheck });
      case 'openclaw-secrets-audit':
        return createOpenclawSecretsAuditVerifier({ exec, baseEnv, sink, probe: keyProbe });
      case 'openclaw-gateway-probe':
        return createOpenclawGatewayProbeVerifier({ exec, clock, baseEnv, home: userHome, sink, serviceEnv: consumerEnv });
      case 'none':
        return createNoneVerifier(sink);
      default:
        throw new UsageError('UNKNOWN_VERIFIER_KIND', `no verifier of kind "${kind}"`);
    }
  });

  const requireOpenclaw = (t: Target) => {
    const oc = openclawOf(t);
    if (!oc) throw new UsageError('NO_OPENCLAW_COMMAND', `${t.id}: no openclaw command in its sink or verifier`);
    return oc;
  };
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
    planContext: { hostname: host, home: userHome },
    signal: opts.signal,
    residue: { scan: scanResidue, remove: removeResidue },
    probe: keyProbe,
    devices: (t, signal) => listDevices(exec, requireOpenclaw(t), baseEnv, signal),
    rotateDevice: (t, device, role, signal) => rotateDevice(exec, requireOpenclaw(t), baseEnv, device, role, signal),
    secretsApply: (t, plan, o) => secretsApply({ exec, baseEnv }, requireOpenclaw(t), plan, `${paths.home}/adopt`, { ...o, signal: opts.signal }),
    sources: (t, signal) => observeSources(t, { exec, baseEnv, home: userHome, service }, signal),
    rollbackTimeoutMs: 5 * 60_000,
    stepTimeoutMs,
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    ...crashHook(env),
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
