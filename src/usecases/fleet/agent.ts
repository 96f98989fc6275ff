/**
 * `rekey agent`: one pass of a host's part in fleet rotation, run by a timer. For every secret with
 * a delivery naming this host: finish what a killed run left (resume), then read the secret's
 * rollouts in its backend and
 * - this host's wave is open: deliver the rollout's pending version (checked by version id and
 *   fingerprint), restart, verify, acknowledge (delivered, or failed and rolled back here);
 * - otherwise: consumers that do not hold the backend's current version (an aborted rollout this
 *   host delivered, a promote it missed while offline) are moved to it, verified, acknowledged.
 * A host that no delivery names touches nothing. Records: records.ts.
 */
import { describeError, UsageError } from '../../core/errors.js';
import type { SecretValue } from '../../core/secret-value.js';
import type { Target } from '../../core/target.js';
import { blastRadius } from '../../plan/blast-radius.js';
import { planRotation, type Plan } from '../../plan/planner.js';
import type { Policy } from '../../policy/schema.js';
import { newRotationId, type RekeyDeps } from '../context.js';
import { resumeOne } from '../resume.js';
import { hostBook, hostRun, rolloutBook } from './host-run.js';
import { ackId, ackMatches, latestAck, rollouts, waveOpen, type AckRecord, type Rollout } from './records.js';

export interface AgentItem {
  secret: string;
  rollout: string | null;
  seq: number;
  /** in-sync: nothing to do; waiting: acknowledged, or its wave is not open yet */
  action: 'in-sync' | 'waiting' | AckRecord['what'] | 'error';
  detail: string;
  targets: string[];
}

export interface AgentReport {
  host: string;
  dryRun: boolean;
  resumed: string[];
  items: AgentItem[];
  exitCode: number;
}

/** the secrets with a delivery that names this host (`host:` in the policy) */
export function hostSecrets(policy: Policy, host: string): string[] {
  return Object.entries(policy.secrets)
    .filter(([, s]) => s.deliveries.some((d) => d.host === host))
    .map(([name]) => name);
}

/** how many acknowledgements per host book are kept: those of the last few rollouts */
const KEEP_SEQS = 2;
/** a pass with nothing to do records the host's last contact at most this often (AWS: every record is a version) */
export const SEEN_EVERY_MS = 3_600_000;

export async function runAgent(policy: Policy, opts: { dryRun: boolean }, deps: RekeyDeps): Promise<AgentReport> {
  const host = deps.planContext.hostname;
  const secrets = hostSecrets(policy, host);
  if (secrets.length === 0) {
    throw new UsageError('NOT_A_FLEET_HOST', `no delivery in the policy names this host (${host}): the agent has nothing to do here`, { hint: 'give deliveries `host: <name>` (REKEY_HOSTNAME overrides the host name)' });
  }
  const resumed: string[] = [];
  if (!opts.dryRun) {
    for (const u of await deps.journal.unfinished()) {
      if (!secrets.includes(u.secret)) continue;
      const r = await resumeOne(policy, u.rotationId, deps);
      resumed.push(`${u.rotationId}: ${r.outcome}`);
    }
  }
  const items: AgentItem[] = [];
  for (const secret of secrets) {
    try {
      items.push(await agentForSecret(policy, secret, opts.dryRun, deps));
    } catch (e) {
      deps.log.warn({ secret, err: describeError(e) }, 'fleet agent: this secret failed');
      items.push({ secret, rollout: null, seq: 0, action: 'error', detail: describeError(e), targets: [] });
    }
  }
  const exitCode = items.some((i) => i.action === 'error') ? 4 : items.some((i) => i.action === 'failed') ? 5 : 0;
  return { host, dryRun: opts.dryRun, resumed, items, exitCode };
}

async function agentForSecret(policy: Policy, secret: string, dryRun: boolean, deps: RekeyDeps): Promise<AgentItem> {
  const host = deps.planContext.hostname;
  const all = planRotation(policy, secret, {}, deps.planContext);
  const mine = all.targets.filter((t) => t.host === host);
  const backendName = all.backend;
  const backend = deps.backend(backendName);
  const book = rolloutBook(policy, backendName, secret, deps);
  const acks = hostBook(policy, backendName, secret, host, deps);
  const rs = rollouts(await book.list());
  const latest: Rollout | null = rs.at(-1) ?? null;
  const myAcks = (await acks.list()).map((e) => e.record);
  const ids = (ts: Target[]) => ts.map((t) => t.id);
  const base = { secret, rollout: latest?.open.rollout ?? null, seq: latest?.seq ?? 0 };
  const planOf = (ts: Target[]): Plan => {
    const keep = new Set(ts.map((t) => t.id));
    return { ...all, targets: ts, elsewhere: [], refs: [...new Set(ts.map((t) => t.ref))], restarts: [...new Set(ts.flatMap((t) => (t.service ? [t.service.unit] : [])))], blastRadius: blastRadius(ts, deps.planContext.adapters), deliveryOrder: all.deliveryOrder.filter((d) => keep.has(d.split(' ')[0]!)) };
  };
  const heldBy = async (ts: Target[]) => {
    const held = new Map<string, SecretValue | null>();
    const byTarget = new Map<string, SecretValue | null>();
    for (const t of ts) {
      const v = await deps.sink(t.sink.kind).read(t, deps.signal);
      byTarget.set(t.id, v);
      if (!held.has(t.ref)) held.set(t.ref, v);
    }
    return { held, byTarget };
  };
  const write = async (a: AckRecord) => {
    await acks.add(ackId(a.seq, a.what, a.run), a);
    // keep the acknowledgements of the last rollouts only (AWS: every record is a version)
    for (const e of await acks.list()) if (e.record.seq < a.seq - (KEEP_SEQS - 1)) await acks.remove(e.id);
  };

  if (latest && waveOpen(latest, host)) {
    const r = latest;
    const refs = r.open.hosts[host] ?? [];
    const last = latestAck(myAcks, r.open.rollout);
    const { held, byTarget } = await heldBy(mine);
    const holdsPending = mine.every((t) => byTarget.get(t.id)?.fingerprint === r.staged!.refs[t.ref]?.fingerprint);
    if (last && last.what === 'delivered' && ackMatches(r, last, refs) && holdsPending) return { ...base, action: 'waiting', detail: `delivered and verified ${Object.values(last.refs).map((x) => x.fingerprint).join(', ')}; waiting for the coordinator`, targets: ids(mine) };
    if (last && last.what === 'failed') return { ...base, action: 'waiting', detail: `reported a failure (${last.reason ?? 'unknown'}); waiting for the coordinator to abort`, targets: ids(mine) };
    // the rollout's pending version of every ref, checked against what the coordinator staged
    const values = new Map<string, { value: SecretValue; versionId: string }>();
    for (const ref of refs) {
      const want = r.staged!.refs[ref];
      const p = await deps.retry(`read pending ${ref}`, () => backend.read(ref, 'pending', deps.signal));
      if (!want || !p || p.versionId !== want.versionId || p.value.fingerprint !== want.fingerprint) {
        const reason = `${ref}: the pending version is ${p ? `${p.versionId} (${p.value.fingerprint})` : 'gone'}, not the rollout's ${want ? `${want.versionId} (${want.fingerprint})` : '(none staged)'}`;
        if (!dryRun) await write({ kind: 'ack', rollout: r.open.rollout, seq: r.seq, host, what: 'failed', refs: {}, targets: ids(mine), at: deps.clock.now().toISOString(), run: newRotationId(deps), reason });
        return { ...base, action: 'failed', detail: reason, targets: ids(mine) };
      }
      values.set(ref, { value: p.value, versionId: p.versionId });
    }
    if (dryRun) return { ...base, action: 'delivered', detail: `dry run: would deliver ${[...values.values()].map((v) => v.value.fingerprint).join(', ')} to ${mine.length} target(s), restart, verify and acknowledge`, targets: ids(mine) };
    const res = await hostRun({ plan: planOf(mine), values, held, what: 'delivered', rollout: r.open.rollout, seq: r.seq, preflight: true }, deps);
    await write(res.ack);
    return { ...base, action: res.ack.what, detail: res.ack.what === 'delivered' ? `delivered and verified ${[...values.values()].map((v) => v.value.fingerprint).join(', ')}` : `did not verify, consumers put back: ${res.reason}`, targets: ids(mine) };
  }

  // no wave of ours open: every consumer should hold the backend's current version
  const current = new Map<string, { value: SecretValue; versionId: string }>();
  for (const ref of new Set(mine.map((t) => t.ref))) {
    const c = await deps.retry(`read current ${ref}`, () => backend.read(ref, 'current', deps.signal));
    if (c) current.set(ref, { value: c.value, versionId: c.versionId });
  }
  const { byTarget } = await heldBy(mine);
  const stale = mine.filter((t) => current.has(t.ref) && byTarget.get(t.id)?.fingerprint !== current.get(t.ref)!.value.fingerprint);
  // an aborted rollout whose wave reached this host: acknowledged once this host is back on current
  const aborted = latest?.end?.outcome === 'aborted';
  const owesAbortAck = aborted && latest!.waves.some((w) => w.hosts.includes(host)) && !myAcks.some((a) => a.rollout === latest!.open.rollout && (a.what === 'restored' || a.what === 'failed'));
  if (stale.length === 0 && owesAbortAck && !dryRun) {
    const refs = Object.fromEntries([...current].map(([ref, c]) => [ref, { versionId: c.versionId, fingerprint: c.value.fingerprint }]));
    await write({ kind: 'ack', rollout: latest!.open.rollout, seq: latest!.seq, host, what: 'restored', refs, targets: ids(mine), at: deps.clock.now().toISOString(), run: newRotationId(deps), reason: 'the rollout was aborted; this host holds the current version (it had not delivered, or put it back already)' });
    return { ...base, action: 'restored', detail: 'rollout aborted: every target already holds the current version (acknowledged)', targets: ids(mine) };
  }
  if (stale.length === 0) {
    const waiting = latest && latest.end === null ? ` (rollout ${latest.open.rollout} open; this host's wave is not)` : '';
    // last contact: a `seen` record when the book has heard nothing from this host for a while
    const lastAt = Math.max(0, ...myAcks.map((a) => Date.parse(a.at)));
    if (!dryRun && deps.clock.now().getTime() - lastAt >= SEEN_EVERY_MS) {
      const seen: AckRecord = { kind: 'ack', rollout: null, seq: latest?.seq ?? 0, host, what: 'seen', refs: {}, targets: ids(mine), at: deps.clock.now().toISOString(), run: newRotationId(deps) };
      await acks.add(ackId(seen.seq, 'seen', seen.run), seen);
      for (const e of await acks.list()) if (e.record.what === 'seen' && e.record.run !== seen.run) await acks.remove(e.id);
    }
    return { ...base, action: 'in-sync', detail: `every target holds the current version${waiting}`, targets: ids(mine) };
  }
  // after an abort: back from the rollout's pending value; otherwise: a promote this host missed
  const what = aborted && stale.every((t) => byTarget.get(t.id)?.fingerprint === latest!.staged?.refs[t.ref]?.fingerprint) ? 'restored' : 'converged';
  const values = new Map([...current].filter(([ref]) => stale.some((t) => t.ref === ref)));
  if (dryRun) return { ...base, action: what, detail: `dry run: would move ${stale.length} target(s) to the current version ${[...values.values()].map((v) => v.value.fingerprint).join(', ')}`, targets: ids(stale) };
  const held = new Map(stale.map((t) => [t.ref, byTarget.get(t.id) ?? null] as const));
  const res = await hostRun({ plan: planOf(stale), values, held, what, rollout: latest?.open.rollout ?? null, seq: latest?.seq ?? 0, preflight: false }, deps);
  await write(res.ack);
  return { ...base, action: res.ack.what, detail: res.ack.what === 'failed' ? `could not move to the current version: ${res.reason}` : `now on the current version ${[...values.values()].map((v) => v.value.fingerprint).join(', ')}, verified`, targets: ids(stale) };
}
