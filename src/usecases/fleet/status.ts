/**
 * `rekey status --fleet`: per secret with deliveries naming hosts, its latest rollout and, per
 * host, what it last acknowledged (fingerprint, time) and whether that is the backend's current
 * version: the host's lag. Read-only; reads the backend and the books, never a consumer.
 */
import type { Policy } from '../../policy/schema.js';
import type { RekeyDeps } from '../context.js';
import { fleetPlan } from './fleet-plan.js';
import { hostBook, rolloutBook } from './host-run.js';
import { fingerprintsOf, rollouts } from './records.js';

export interface FleetHostStatus {
  host: string;
  /** the last time its agent wrote anything (an acknowledgement, or a pass with nothing to do, recorded at most hourly) */
  lastContact: string | null;
  /** the last acknowledgement: what, of which rollout, when */
  last: { what: string; seq: number; at: string; fingerprints: Record<string, string>; reason?: string } | null;
  /** every ref it reads holds the current version (by its last acknowledgement) */
  current: boolean;
  /** how long it has been behind the current version (since the promote it has not acknowledged), ms */
  lagMs: number | null;
}

export interface FleetStatus {
  secret: string;
  backend: string;
  current: Record<string, { versionId: string; fingerprint: string } | null>;
  rollout: { seq: number; id: string; state: 'open' | 'promoted' | 'aborted'; startedAt: string; endedAt: string | null; reason?: string; waves: string[][]; opened: number; missing?: string[] } | null;
  hosts: FleetHostStatus[];
}

export async function fleetStatus(policy: Policy, only: string | undefined, deps: RekeyDeps): Promise<FleetStatus[]> {
  const names = only ? [only] : Object.entries(policy.secrets).filter(([, s]) => s.deliveries.some((d) => d.host !== undefined)).map(([n]) => n);
  const out: FleetStatus[] = [];
  const now = deps.clock.now().getTime();
  for (const secret of names) {
    const plan = fleetPlan(policy, secret, {}, deps);
    const backend = deps.backend(plan.backend);
    const current: FleetStatus['current'] = {};
    for (const ref of plan.refs) {
      const c = await deps.retry(`read current ${ref}`, () => backend.read(ref, 'current', deps.signal));
      current[ref] = c ? { versionId: c.versionId, fingerprint: c.value.fingerprint } : null;
    }
    const rs = rollouts(await rolloutBook(policy, plan.backend, secret, deps).list());
    const r = rs.at(-1) ?? null;
    const lastPromote = [...rs].reverse().find((x) => x.end?.outcome === 'promoted');
    const hosts: FleetHostStatus[] = [];
    for (const host of [...new Set(plan.targets.map((t) => t.host))].sort()) {
      const refs = [...new Set(plan.targets.filter((t) => t.host === host).map((t) => t.ref))];
      const acks = (await hostBook(policy, plan.backend, secret, host, deps).list()).map((e) => e.record).sort((a, b) => (a.at < b.at ? -1 : 1));
      // what its consumers hold: the refs of its last acknowledgement that names them
      const held = acks.filter((a) => Object.keys(a.refs).length > 0).at(-1);
      const last = acks.filter((a) => a.what !== 'seen').at(-1);
      const onCurrent = held !== undefined && refs.every((ref) => current[ref] && held.refs[ref]?.fingerprint === current[ref]!.fingerprint);
      hosts.push({
        host,
        lastContact: acks.at(-1)?.at ?? null,
        last: last ? { what: last.what, seq: last.seq, at: last.at, fingerprints: fingerprintsOf(last), ...(last.reason ? { reason: last.reason } : {}) } : null,
        current: onCurrent,
        lagMs: onCurrent ? 0 : lastPromote?.end ? now - Date.parse(lastPromote.end.at) : null,
      });
    }
    out.push({
      secret,
      backend: plan.backend,
      current,
      rollout: r ? { seq: r.seq, id: r.open.rollout, state: r.end?.outcome ?? 'open', startedAt: r.open.startedAt, endedAt: r.end?.at ?? null, ...(r.end?.reason ? { reason: r.end.reason } : {}), waves: r.open.waves, opened: r.waves.length, ...(r.end?.missing ? { missing: r.end.missing } : {}) } : null,
      hosts,
    });
  }
  return out;
}
