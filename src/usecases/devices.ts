import type { Plan } from '../plan/planner.js';
import { tokenRole } from '../plan/planner.js';
import type { AuditRecord } from '../audit/audit-record.js';
import { RekeyError, UsageError } from '../core/errors.js';
import type { Target } from '../core/target.js';
import { newRotationId, type RekeyDeps } from './context.js';
import { beginOp, continueOp, type OpJournal } from './op-journal.js';
import { failureOf, refusedIsAudited, runRecord } from './run-audit.js';
import type { JournalEvent } from '../rotation/state.js';

export interface DeviceReport {
  target: string;
  paired: { deviceId: string; name?: string; roles: string[] }[];
  pending: number;
  error?: string;
}

/** For a Gateway-token plan: the paired devices of every server target's Gateway (not rotated by a shared-token rotation). */
export async function pairedDevices(plan: Plan, deps: Pick<RekeyDeps, 'openclaw' | 'signal' | 'planContext'>): Promise<DeviceReport[]> {
  const openclaw = deps.openclaw;
  if (plan.layer !== 'gateway-token' || !openclaw) return [];
  const out: DeviceReport[] = [];
  for (const t of plan.targets.filter((x) => tokenRole(x, deps.planContext.adapters) === 'server')) {
    try {
      out.push({ target: t.id, ...(await openclaw.devices(t, deps.signal)) });
    } catch (e) {
      out.push({ target: t.id, paired: [], pending: 0, error: (e as Error).message });
    }
  }
  return out;
}

/**
 * `rekey openclaw devices <secret> --rotate ID --role R`: one paired device's token, rotated
 * upstream (`openclaw devices rotate`) under the secret's lock, with an audit record either way.
 * The token itself never reaches rekey's output (fingerprints only).
 */
export async function rotateDeviceToken(plan: Plan, server: Target, device: string, role: string, deps: RekeyDeps): Promise<unknown> {
  if (!deps.openclaw) throw new UsageError('DEVICES_UNAVAILABLE', 'this build has no OpenClaw CLI port');
  const started = deps.clock.now().getTime();
  const id = `device-${newRotationId(deps)}`;
  await deps.audit.ready?.();
  const lock = await refusedIsAudited(() => deps.locks.acquire(plan.secret, { rotationId: id, command: 'device-rotate' }), 'device-rotate', id, plan, deps, started);
  try {
    const op = await beginOp(deps, id, 'device-rotate', plan, {}, { device, role, target: server.id });
    return await rotateJournaled('device-rotate', id, plan, server, device, role, op, deps, started);
  } finally {
    await lock.release();
  }
}

/**
 * A device-token rotation killed part-way (no `end`): the token it may have minted was never shown
 * to anyone, so it is rotated again (the device re-authenticates with the newest).
 */
export async function resumeDeviceRotation(begin: Extract<JournalEvent, { type: 'begin' }>, plan: Plan, deps: RekeyDeps): Promise<unknown> {
  const started = deps.clock.now().getTime();
  const { device = '', role = '', target = '' } = begin.args ?? {};
  const server = plan.targets.find((t) => t.id === target);
  if (!server) throw new UsageError('DEVICE_TARGET_GONE', `the Gateway target ${target} of device rotation ${begin.rotationId} is not in its journaled plan`);
  const lock = await deps.locks.acquire(begin.secret, { rotationId: begin.rotationId, command: 'resume' });
  try {
    return await rotateJournaled('resume', begin.rotationId, plan, server, device, role, continueOp(deps, begin.rotationId), deps, started);
  } finally {
    await lock.release();
  }
}

async function rotateJournaled(command: 'device-rotate' | 'resume', id: string, plan: Plan, server: Target, device: string, role: string, op: OpJournal, deps: RekeyDeps, started: number): Promise<unknown> {
  const record = (outcome: AuditRecord['outcome'], exitCode: number, failure?: AuditRecord['failure']): AuditRecord =>
    runRecord(command, id, plan, deps, started, {
      outcome,
      exitCode,
      blastRadius: { ...plan.blastRadius, devices: [`${device} (${role})`] } as AuditRecord['blastRadius'],
      targets: [{ id: server.id, verified: null }],
      ...(failure ? { failure } : {}),
    });
  const r = await op.step(`rotate ${device} (${role})`, () => deps.openclaw!.rotateDevice(server, device, role, deps.signal)).catch(async (e: unknown) => {
    await op.end('failed', (e as Error)?.message);
    await deps.audit.append(record('failed', e instanceof RekeyError ? e.exitCode : 1, failureOf(e)));
    throw e;
  });
  deps.log.warn({ device, role, target: server.id }, 'rotated a paired device token');
  await op.end('done');
  await deps.audit.append(record('device-rotated', 0));
  return r;
}
