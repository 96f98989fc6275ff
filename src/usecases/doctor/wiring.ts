/**
 * Check 2, service wiring: the unit reads the file rekey writes; the file is a regular 0600 file of
 * the right owner; the sink holds the backend's current version; the running process holds what
 * the sink holds, and was started after the last write.
 */
import { isRekeyError } from '../../core/errors.js';
import type { Target } from '../../core/target.js';
import { sinkTouches, unitsAndFiles } from '../../plan/blast-radius.js';
import { expandHome } from '../../plan/planner.js';
import { finding, type Finding } from './codes.js';
import type { DoctorContext } from './context.js';

/** per unit: it exists and has an EnvironmentFile= for every env file delivered to it */
export async function unitReadsFiles(c: DoctorContext): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const [unit, u] of unitsAndFiles(c.plans.flatMap((p) => p.targets), c.deps.planContext.adapters)) {
    if (u.files.size === 0) continue;
    try {
      await c.bound(c.deps.service(u.service).preflight(unit, [...u.files], c.deps.signal), `preflight ${unit}`);
    } catch (e) {
      if (!isRekeyError(e)) throw e;
      // the manager itself cannot be asked: not a wiring fault of the unit
      if (e.details?.managerUnreachable === true) {
        out.push(finding('SERVICE_MANAGER_UNREACHABLE', 'host', unit, e.message, 'systemctl --user status  # is the user manager running for this user (loginctl enable-linger; XDG_RUNTIME_DIR)?', { unit, refusal: e.code }));
        continue;
      }
      out.push(finding('UNIT_DOES_NOT_READ_FILE', 'host', unit, e.message, `systemctl --user cat ${unit}  # add EnvironmentFile=${[...u.files][0]} (rekey service render prints a unit that does)`, { unit, files: [...u.files], refusal: e.code }));
    }
  }
  return out;
}

/** the files a target's sink writes: there, not a symlink, the right owner, 0600 */
export async function fileChecks(c: DoctorContext, t: Target): Promise<Finding[]> {
  const out: Finding[] = [];
  // nothing current yet: a first delivery creates the files (NO_CURRENT_VERSION says what to do)
  const first = (await c.current(t)) === null;
  const owner = (t.sink as { owner?: number | string }).owner;
  for (const file of sinkTouches(t, c.deps.planContext.adapters).files.map((x) => expandHome(x, c.deps.planContext.home))) {
    const st = await c.deps.host.stat(file);
    const layer = t.layer;
    if (!st) {
      if (first) continue;
      out.push(finding('SINK_FILE_MISSING', layer, file, `${t.id}: ${file} does not exist`, `rekey plan ${t.secret} --env ${t.env} --agent ${t.agent}`, { target: t.id, file }));
      continue;
    }
    if (st.symlink) {
      out.push(finding('SINK_FILE_SYMLINK', layer, file, `${t.id}: ${file} is a symlink; rekey writes only regular files`, `ls -l ${file}  # replace the link with the file it points to`, { target: t.id, file }));
      continue;
    }
    const want = c.deps.host.ownerUid(owner);
    if (st.uid !== want) out.push(finding('SINK_FILE_OWNER', layer, file, `${t.id}: ${file} is owned by uid ${st.uid}, not ${want}`, `sudo chown ${want} ${file}`, { target: t.id, file, uid: st.uid, expectedUid: want }));
    if ((st.mode & 0o077) !== 0) {
      const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
      out.push(finding('SINK_FILE_MODE', layer, file, `${t.id}: ${file} has mode ${mode}, wider than 0600: others can read the credential`, `chmod 600 ${file}`, { target: t.id, file, mode }));
    }
  }
  return out;
}

/** sink vs backend, process vs sink (consumers that read at start: env files, `rekey exec`) */
export async function heldChecks(c: DoctorContext, t: Target): Promise<Finding[]> {
  const cur = await c.current(t);
  if (!cur) return [];
  const out: Finding[] = [];
  const spec = c.deps.planContext.adapters.sink(t.sink.kind);
  const reads = spec.reads(t.sink);
  const held = await c.held(t);
  // a sink that cannot read back what it holds (a stored profile) answers null: its verifier judges it
  if ((held !== null && !held.equals(cur)) || (held === null && reads === 'env-file')) {
    out.push(finding('SINK_BEHIND_BACKEND', t.layer, t.id, `${t.id}: ${spec.describe(t.sink)} holds ${held?.fingerprint ?? 'nothing'}, the backend's current version is ${cur.fingerprint}`, `rekey status ${t.secret}  # an unfinished rotation? (rekey resume) else rekey rotate ${t.secret} --env ${t.env} re-delivers`, { target: t.id, sink: held?.fingerprint ?? 'unset', backend: cur.fingerprint }));
  }
  if (!t.service || (reads !== 'env-file' && reads !== 'exec-env')) return out;
  const mgr = c.deps.service(t.service);
  const unit = t.service.unit;
  const proc = await c.bound(mgr.running(unit, c.deps.signal, reads === 'exec-env' ? { child: true } : {}), `running process of ${unit}`);
  if (!proc) {
    if (mgr.seesProcesses) out.push(finding('SERVICE_NOT_RUNNING', t.layer, unit, `${t.id}: ${unit} runs no process: nothing holds ${t.envVar}`, `systemctl --user start ${unit}; journalctl --user -u ${unit} -n 50`, { target: t.id, unit }));
    return out;
  }
  const key = spec.envKey?.(t.sink) ?? t.envVar;
  const inProc = proc.env[key];
  const ev = { target: t.id, unit, pid: proc.pid, variable: key };
  if (!inProc) {
    out.push(finding('SERVICE_ENV_MISSING', t.layer, unit, `${t.id}: the running process of ${unit} (pid ${proc.pid}) has no ${key}`, `systemctl --user show -p EnvironmentFiles ${unit}; systemctl --user restart ${unit}`, ev));
    return out;
  }
  if (held === null || inProc.equals(held)) return out;
  const started = await c.deps.host.processStartMs(proc.pid);
  const first = reads === 'env-file' ? sinkTouches(t, c.deps.planContext.adapters).files[0] : undefined;
  const file = first ? expandHome(first, c.deps.planContext.home) : undefined;
  const written = file ? (await c.deps.host.stat(file))?.mtimeMs : undefined;
  const times = { ...(started !== null ? { processStarted: new Date(started).toISOString() } : {}), ...(written !== undefined ? { fileWritten: new Date(written).toISOString() } : {}) };
  const evidence = { ...ev, process: inProc.fingerprint, sink: held.fingerprint, ...times };
  if (reads === 'exec-env' || (written !== undefined && started !== null && written > started)) {
    out.push(finding('SERVICE_NOT_RESTARTED', t.layer, unit, `${t.id}: ${unit} (pid ${proc.pid}) still holds ${inProc.fingerprint}; ${spec.describe(t.sink)} holds ${held.fingerprint}${file ? ', written after the process started' : ''}`, `systemctl --user restart ${unit}`, evidence));
  } else {
    out.push(finding('SERVICE_ENV_OVERRIDDEN', t.layer, unit, `${t.id}: ${unit} (pid ${proc.pid}) started after ${file} was written but holds ${inProc.fingerprint}, not ${held.fingerprint}: systemd took ${key} from elsewhere`, `systemctl --user cat ${unit}  # a later EnvironmentFile= or Environment= sets ${key}`, evidence));
  }
  return out;
}
