import { DeliveryError, UnsafeError } from '../../src/core/errors.js';
import { childMessage } from '../../src/core/child-output.js';
import type { Clock, Exec, ServiceManager } from '../../src/core/ports.js';
import { SecretValue } from '../../src/core/secret-value.js';
import { parsePlist, type PlistValue } from './plist.js';
import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { assertSafeTarget, atomicWrite } from '../../src/io/atomic-write.js';

export interface LaunchdDeps {
  exec: Exec;
  clock: Clock;
  uid: number;
  home: string;
  /** domain per label (gui or user); default gui */
  domain?: (label: string) => 'gui' | 'user';
  /** the plist of a label (default ~/Library/LaunchAgents/<label>.plist) */
  plistPath?: (label: string) => string;
  readFile: (path: string) => Promise<string | null>;
  launchctl?: string;
}

/** `launchctl print <service-target>`: the `key = value` lines at the job's top level (state, pid, last exit status). */
export function parseLaunchctlPrint(out: string): { state?: string; pid?: number; lastExitStatus?: number } {
  const info: { state?: string; pid?: number; lastExitStatus?: number } = {};
  let depth = 0;
  for (const raw of out.split('\n')) {
    const line = raw.trim();
    if (line.endsWith('{')) {
      depth++;
      continue;
    }
    if (line === '}') {
      depth--;
      continue;
    }
    if (depth !== 1) continue;
    const m = /^([a-z ]+?) = (.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === 'state') info.state = m[2]!;
    if (m[1] === 'pid' && /^\d+$/.test(m[2]!)) info.pid = Number(m[2]);
    if (m[1] === 'last exit status' && /^-?\d+$/.test(m[2]!)) info.lastExitStatus = Number(m[2]);
  }
  return info;
}

/**
 * launchd (macOS LaunchAgents): restart = `launchctl kickstart -k gui/<uid>/<label>` (kill and
 * start again), then a bounded wait on `launchctl print` until the job runs with a new PID that
 * stays the same for `settleMs`. The start command and environment come from the job's plist.
 */
export function createLaunchdService(deps: LaunchdDeps): ServiceManager {
  const launchctl = deps.launchctl ?? 'launchctl';
  const target = (label: string) => `${deps.domain?.(label) ?? 'gui'}/${deps.uid}/${label}`;
  const plistPath = (label: string) => deps.plistPath?.(label) ?? `${deps.home}/Library/LaunchAgents/${label}.plist`;
  const print = async (label: string, signal: AbortSignal) => {
    const r = await deps.exec.run([launchctl, 'print', target(label)], { signal, timeoutMs: 30_000 });
    return { found: r.code === 0, info: parseLaunchctlPrint(r.stdout), detail: childMessage(r) };
  };
  const plist = async (label: string): Promise<Record<string, PlistValue>> => {
    const path = plistPath(label);
    const text = await deps.readFile(path);
    if (text === null) throw new UnsafeError('PLIST_NOT_FOUND', `launchd job ${label}: no plist at ${path}`, { hint: 'rekey service render launchd … --out that path; launchctl bootstrap gui/$(id -u) FILE' });
    try {
      return parsePlist(text);
    } catch (e) {
      throw new UnsafeError('PLIST_UNREADABLE', `launchd job ${label}: ${path}: ${(e as Error).message}`);
    }
  };

  return {
    kind: 'launchd',
    seesProcesses: false,

    async preflight(label, files, signal) {
      const p = await print(label, signal);
      if (!p.found) {
        throw new UnsafeError('UNIT_NOT_FOUND', `launchd job ${target(label)} is not loaded: ${p.detail}`, { hint: `launchctl bootstrap gui/${deps.uid} ${plistPath(label)}` });
      }
      if (files.length === 0) return;
      const doc = await plist(label);
      const args = Array.isArray(doc.ProgramArguments) ? doc.ProgramArguments : [];
      for (const f of files) {
        // OpenClaw's LaunchAgent wrapper sources <stateDir>/service-env/<label>.env
        const wrapperEnv = f.endsWith(`/service-env/${label}.env`);
        if (!wrapperEnv && !args.some((a) => a.includes(f))) {
          throw new UnsafeError('SINK_NOT_READ_BY_SERVICE', `launchd job ${label} does not read ${f}: a rotation would succeed on disk while the service never sees it`, {
            details: { unit: label, file: f },
            hint: 'deliver to the keychain and start the job through `rekey exec` (rekey service render launchd)',
          });
        }
      }
    },

    async restart(label, signal, opts = {}) {
      const timeoutMs = opts.startTimeoutMs ?? 30_000;
      const settleMs = opts.settleMs ?? 1_500;
      const before = (await print(label, signal)).info.pid;
      const r = await deps.exec.run([launchctl, 'kickstart', '-k', target(label)], { signal, timeoutMs: 30_000, reuse: 'change' });
      if (r.code !== 0) {
        throw new DeliveryError('RESTART_FAILED', `launchctl kickstart -k ${target(label)} failed (exit ${r.code}): ${childMessage(r)}`, { hint: `launchctl print ${target(label)}` });
      }
      const deadline = deps.clock.now().getTime() + timeoutMs;
      let stablePid: number | undefined;
      let since = 0;
      for (;;) {
        const { info } = await print(label, signal);
        const now = deps.clock.now().getTime();
        if (info.state === 'running' && info.pid !== undefined && info.pid !== before) {
          if (info.pid !== stablePid) {
            stablePid = info.pid;
            since = now;
          } else if (now - since >= settleMs) return;
        } else stablePid = undefined;
        if (now > deadline) {
          throw new DeliveryError('UNIT_START_TIMEOUT', `launchd job ${label} was not running with a new PID within ${timeoutMs} ms (state ${info.state ?? 'unknown'}, last exit status ${info.lastExitStatus ?? '?'})`, {
            hint: `launchctl print ${target(label)}; log show --last 5m --predicate 'process == "launchd"'`,
          });
        }
        await deps.clock.sleep(200, signal);
      }
    },

    async isActive(label, signal) {
      return (await print(label, signal)).info.state === 'running';
    },

    async startCommand(label) {
      const doc = await plist(label);
      if (Array.isArray(doc.ProgramArguments)) return doc.ProgramArguments;
      return typeof doc.Program === 'string' ? [doc.Program] : [];
    },

    async environment(label) {
      const doc = await plist(label);
      const vars: Record<string, SecretValue> = {};
      const ev = doc.EnvironmentVariables;
      if (ev && typeof ev === 'object' && !Array.isArray(ev)) for (const [k, v] of Object.entries(ev)) vars[k] = SecretValue.of(String(v));
      return { vars, files: [] };
    },

    // macOS gives no supported way to read another process's environment (ps -E is limited and
    // truncated): verification there runs with the plist's environment (see docs)
    async running() {
      return null;
    },
    async installTimer(files, timer, signal) {
      // one plist, named after its label, in ~/Library/LaunchAgents (or the configured path)
      const written: string[] = [];
      for (const f of files) {
        const path = plistPath(f.name.replace(/\.plist$/, ''));
        await fs.mkdir(dirname(path), { recursive: true, mode: 0o755 });
        await assertSafeTarget(path, deps.uid);
        await atomicWrite(path, Buffer.from(f.text, 'utf8'), { mode: 0o644 });
        written.push(path);
      }
      // a loaded job keeps its old definition: unload it first (absent is fine)
      await deps.exec.run([launchctl, 'bootout', target(timer)], { signal, timeoutMs: 30_000, reuse: 'change' });
      const r = await deps.exec.run([launchctl, 'bootstrap', `${deps.domain?.(timer) ?? 'gui'}/${deps.uid}`, plistPath(timer)], { signal, timeoutMs: 30_000, reuse: 'change' });
      if (r.code !== 0) throw new DeliveryError('TIMER_INSTALL_FAILED', `launchctl bootstrap ${plistPath(timer)} failed: ${childMessage(r)}`, { hint: `launchctl print ${target(timer)}` });
      return written;
    },
    async timerStatus(timer, _service, signal) {
      const p = await print(timer, signal);
      // launchd does not say when a calendar job runs next
      return { installed: p.found, next: null, last: null, lastResult: p.info.lastExitStatus === undefined ? null : p.info.lastExitStatus === 0 ? 'success' : 'exit-code', lastExitCode: p.info.lastExitStatus ?? null };
    },
  } satisfies ServiceManager;
}
