import { DeliveryError, UnsafeError } from '../../src/core/errors.js';
import { childMessage } from '../../src/core/child-output.js';
import type { Clock, Exec, ServiceManager } from '../../src/core/ports.js';
import { SecretValue } from '../../src/core/secret-value.js';
import { promises as fs } from 'node:fs';
import { assertSafeTarget, atomicWrite, readNoFollow } from '../../src/io/atomic-write.js';
import { parseEnvBytes } from '../../src/io/env-file.js';
import { childOf, readProcEnviron } from './proc-environ.js';

export interface SystemdUserDeps {
  exec: Exec;
  clock: Clock;
  /** environment for systemctl (XDG_RUNTIME_DIR locates the user manager) */
  env: Record<string, string>;
  systemctl?: string;
}

/** Split systemctl's `Environment=` value: space-separated, "…"-quoted, backslash escapes. */
export function splitEnvironmentProperty(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inQuote = false;
  let any = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      any = true;
    } else if (c === '"') {
      inQuote = !inQuote;
      any = true;
    } else if (c === ' ' && !inQuote) {
      if (any) out.push(cur);
      cur = '';
      any = false;
    } else {
      cur += c;
      any = true;
    }
  }
  if (any) out.push(cur);
  return out;
}

/** The first command of `systemctl show -p ExecStart`: `{ path=… ; argv[]=a b c ; ignore_errors=no ; … }`. */
export function parseExecStartArgv(prop: string): string[] {
  const m = /argv\[\]=(.*?) ; (ignore_errors|start_time)=/.exec(prop);
  return m ? splitEnvironmentProperty(m[1]!) : [];
}

/** systemctl verbs that only look: every other one is marked a change (io/memo-exec.ts) */
const LOOKS = new Set(['show', 'is-active', 'cat', 'status', 'list-timers']);

/** how long a restart's stop may take on top of the start timeout (systemd's default TimeoutStopSec) */
const RESTART_STOP_ALLOWANCE_MS = 90_000;

/**
 * systemd --user: `systemctl --user` restart with a bounded wait until the unit is active and its
 * main PID has stayed the same for `settleMs` (a unit that dies at start flips back to
 * activating/failed); pre-flight that the unit really reads the file rekey writes.
 */
export function createSystemdUserService(deps: SystemdUserDeps): ServiceManager {
  const systemctl = deps.systemctl ?? 'systemctl';
  /** `remember`: a look the run's memo may answer (the unit's configuration: only a change or a write makes it stale) */
  const run = async (args: string[], signal: AbortSignal, timeoutMs = 30_000, remember = false) => {
    // anything but a look (restart, daemon-reload, enable …) changes what a consumer reads
    const reuse = !LOOKS.has(args[0] ?? '') ? 'change' : remember ? 'read' : undefined;
    return deps.exec.run([systemctl, '--user', ...args], { env: deps.env, signal, timeoutMs, ...(reuse ? { reuse } : {}) });
  };
  const show = async (unit: string, props: string[], signal: AbortSignal, remember = false): Promise<Map<string, string[]>> => {
    const r = await run(['show', unit, '--no-pager', ...props.flatMap((p) => ['-p', p])], signal, 30_000, remember);
    if (r.code !== 0) {
      throw new UnsafeError('SYSTEMD_UNREACHABLE', `systemctl --user show ${unit} failed: ${childMessage(r)}`, {
        details: { unit, managerUnreachable: true },
        hint: 'is the user manager running for this user (loginctl enable-linger; XDG_RUNTIME_DIR)?',
      });
    }
    const m = new Map<string, string[]>();
    for (const line of r.stdout.split('\n')) {
      const i = line.indexOf('=');
      if (i <= 0) continue;
      const k = line.slice(0, i);
      m.set(k, [...(m.get(k) ?? []), line.slice(i + 1)]);
    }
    return m;
  };
  /**
   * The unit's configuration in one `show`: the pre-flight, its start command and its environment
   * all read it, so one process per unit serves a run's pre-flight and source lookups (the run's
   * memo, io/memo-exec.ts, until anything changes). Its running state is never remembered.
   */
  const config = (unit: string, signal: AbortSignal) => show(unit, ['LoadState', 'FragmentPath', 'EnvironmentFiles', 'Environment', 'ExecStart'], signal, true);
  const one = (m: Map<string, string[]>, k: string) => m.get(k)?.[0] ?? '';
  const envFiles = (m: Map<string, string[]>) => (m.get('EnvironmentFiles') ?? []).map((v) => v.replace(/ \(ignore_errors=(yes|no)\)$/, '')).filter(Boolean);

  return {
    kind: 'systemd-user',
    seesProcesses: true,

    async preflight(unit, files, signal) {
      const m = await config(unit, signal);
      if (one(m, 'LoadState') !== 'loaded') {
        throw new UnsafeError('UNIT_NOT_FOUND', `user unit ${unit} is ${one(m, 'LoadState') || 'unknown'}`, { hint: `systemctl --user status ${unit}; is the unit installed for this user?` });
      }
      const reads = envFiles(m);
      for (const f of files) {
        if (!reads.includes(f)) {
          throw new UnsafeError('SINK_NOT_READ_BY_SERVICE', `user unit ${unit} does not read ${f}: a rotation would succeed on disk while the service never sees it`, {
            details: { unit, file: f, environmentFiles: reads },
            hint: reads.length ? `the unit reads: ${reads.join(', ')}; point the policy's sink.path there` : `add EnvironmentFile=${f} to ${one(m, 'FragmentPath') || unit}`,
          });
        }
      }
    },

    async restart(unit, signal, opts = {}) {
      const timeoutMs = opts.startTimeoutMs ?? 30_000;
      const settleMs = opts.settleMs ?? 1_500;
      // `restart` blocks until the old process has stopped (up to the unit's TimeoutStopSec, 90 s by
      // default, before systemd kills it) and the start job is done: a busy host's slow stop is
      // not a failed restart. Still bounded, and by the step timeout above it.
      const bound = Math.max(timeoutMs, 30_000) + RESTART_STOP_ALLOWANCE_MS;
      const r = await run(['restart', unit], signal, bound);
      if (r.code !== 0) {
        throw new DeliveryError('RESTART_FAILED', `systemctl --user restart ${unit} failed (${r.timedOut ? `no answer within ${bound / 1000} s` : `exit ${r.code}`}): ${childMessage(r)}`, { hint: `journalctl --user -u ${unit}` });
      }
      const deadline = deps.clock.now().getTime() + timeoutMs;
      let stablePid = '';
      let stableSince = 0;
      for (;;) {
        const m = await show(unit, ['ActiveState', 'SubState', 'MainPID', 'Result'], signal);
        const state = one(m, 'ActiveState');
        const pid = one(m, 'MainPID');
        const now = deps.clock.now().getTime();
        if (state === 'active' && pid !== '0') {
          if (pid !== stablePid) {
            stablePid = pid;
            stableSince = now;
          } else if (now - stableSince >= settleMs) {
            return;
          }
        } else {
          stablePid = '';
          if (state === 'failed') {
            throw new DeliveryError('UNIT_FAILED', `user unit ${unit} failed after restart (${one(m, 'Result')})`, { hint: `journalctl --user -u ${unit} -n 50` });
          }
        }
        if (now > deadline) {
          throw new DeliveryError('UNIT_START_TIMEOUT', `user unit ${unit} was not running steadily within ${timeoutMs} ms (last: ${state}/${one(m, 'SubState')})`, { hint: `journalctl --user -u ${unit} -n 50` });
        }
        await deps.clock.sleep(200, signal);
      }
    },

    async isActive(unit, signal) {
      const m = await show(unit, ['ActiveState'], signal);
      return one(m, 'ActiveState') === 'active';
    },

    async startCommand(unit, signal) {
      const m = await config(unit, signal);
      return parseExecStartArgv(one(m, 'ExecStart'));
    },

    async running(unit, signal, opts = {}) {
      const m = await show(unit, ['ActiveState', 'MainPID'], signal);
      let pid = Number(one(m, 'MainPID'));
      if (one(m, 'ActiveState') !== 'active' || !(pid > 0)) return null;
      if (opts.child) {
        // `rekey exec` starts its child a moment after it starts itself
        let kid = await childOf(pid);
        for (let i = 0; kid === null && i < 25; i++) {
          await deps.clock.sleep(200, signal);
          kid = await childOf(pid);
        }
        if (kid === null) return null;
        pid = kid;
      }
      const env = await readProcEnviron(pid);
      return env === null ? null : { pid, env };
    },

    async environment(unit, signal) {
      const m = await config(unit, signal);
      const vars: Record<string, SecretValue> = {};
      for (const assignment of (m.get('Environment') ?? []).flatMap(splitEnvironmentProperty)) {
        const i = assignment.indexOf('=');
        if (i > 0) vars[assignment.slice(0, i)] = SecretValue.of(assignment.slice(i + 1));
      }
      const files = envFiles(m);
      // systemd: EnvironmentFile= settings override Environment=, later files override earlier
      for (const f of files) {
        const bytes = await readNoFollow(f);
        if (bytes === null) continue;
        for (const [k, v] of parseEnvBytes(bytes)) vars[k] = SecretValue.of(v);
      }
      return { vars, files };
    },
    async installTimer(files, timer, signal) {
      const dir = `${deps.env.XDG_CONFIG_HOME || `${deps.env.HOME ?? ''}/.config`}/systemd/user`;
      if (!dir.startsWith('/')) throw new UnsafeError('NO_HOME', 'neither XDG_CONFIG_HOME nor HOME is set: no place for user units');
      await fs.mkdir(dir, { recursive: true, mode: 0o755 });
      const written: string[] = [];
      for (const f of files) {
        const path = `${dir}/${f.name}`;
        await assertSafeTarget(path, process.getuid?.());
        await atomicWrite(path, Buffer.from(f.text, 'utf8'), { mode: 0o644 });
        written.push(path);
      }
      for (const args of [['daemon-reload'], ['enable', '--now', timer]]) {
        const r = await run(args, signal);
        if (r.code !== 0) throw new DeliveryError('TIMER_INSTALL_FAILED', `systemctl --user ${args.join(' ')} failed: ${childMessage(r)}`, { hint: `systemctl --user status ${timer}` });
      }
      return written;
    },
    async timerStatus(timer, service, signal) {
      const t = await show(timer, ['UnitFileState', 'NextElapseUSecRealtime', 'LastTriggerUSec'], signal);
      const s = await show(service, ['Result', 'ExecMainStatus', 'ExecMainExitTimestamp'], signal);
      const when = (v: string) => (v && v !== 'n/a' && v !== '0' ? v : null);
      const ran = when(one(s, 'ExecMainExitTimestamp'));
      return {
        installed: one(t, 'UnitFileState') === 'enabled',
        next: when(one(t, 'NextElapseUSecRealtime')),
        last: when(one(t, 'LastTriggerUSec')) ?? ran,
        lastResult: ran ? one(s, 'Result') || null : null,
        lastExitCode: ran ? Number(one(s, 'ExecMainStatus')) : null,
      };
    },
  } satisfies ServiceManager;
}
