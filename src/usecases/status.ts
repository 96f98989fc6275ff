import type { ProbeRecord } from './probe-keys.js';
import { BackendError } from '../core/errors.js';
import type { StandbyEntry, VersionInfo } from '../core/ports.js';
import { standbyEntries } from './standby.js';
import { resolveTargets } from '../plan/planner.js';
import type { Policy } from '../policy/schema.js';
import type { RekeyDeps } from './context.js';
import type { JournalEvent } from '../rotation/state.js';

export interface SecretStatus {
  secret: string;
  layer: string;
  backend: string;
  refs: { ref: string; versions: VersionInfo[]; lastProbe: ProbeRecord | null; currentAgeDays: number | null; overdue: boolean; standby?: StandbyStatus }[];
  lock: { pid: number; host: string; rotationId: string; since: string; alive: boolean } | null;
  unfinished: string[];
  last: { rotationId: string; outcome: string; at: string; reason?: string } | null;
}

/** the ref's standby pool (provider keys): its keys (ids and fingerprints), and whether it is below minStandby */
export interface StandbyStatus {
  entries: StandbyEntry[];
  min: number;
  low: boolean;
}

const DAY = 86_400_000;
const maxAgeDays = (s: string | undefined): number | null => {
  if (!s) return null;
  const n = Number(s.slice(0, -1));
  return s.endsWith('d') ? n : s.endsWith('h') ? n / 24 : n / 1440;
};

export async function status(policy: Policy, only: string | undefined, deps: RekeyDeps): Promise<SecretStatus[]> {
  const names = only ? [only] : Object.keys(policy.secrets);
  const unfinished = await deps.journal.unfinished();
  const lastBySecret = new Map<string, SecretStatus['last']>();
  for (const id of await deps.journal.list()) {
    // a damaged journal is listed as unfinished (above); it does not stop the status of the rest
    const events = await deps.journal.read(id).catch((e: unknown) => {
      if (e instanceof BackendError) return [] as JournalEvent[];
      throw e;
    });
    const begin = events.find((e): e is Extract<JournalEvent, { type: 'begin' }> => e.type === 'begin');
    const end = events.find((e): e is Extract<JournalEvent, { type: 'end' }> => e.type === 'end');
    if (begin) lastBySecret.set(begin.secret, { rotationId: id, outcome: end?.outcome ?? 'unfinished', at: end?.at ?? begin.at, ...(end?.reason ? { reason: end.reason } : {}) });
  }
  // the last provider probe per ref, from the audit log (unreadable audit: none shown, not fatal)
  const lastProbe = new Map<string, ProbeRecord>();
  for (const rec of await deps.audit.read().catch(() => [])) for (const p of rec.probes ?? []) lastProbe.set(p.ref, p);
  const out: SecretStatus[] = [];
  for (const name of names) {
    const secret = policy.secrets[name];
    const targets = resolveTargets(policy, name, deps.planContext);
    const backend = deps.backend(secret!.backend);
    const limit = maxAgeDays(secret!.maxAge);
    const refs = [];
    for (const ref of [...new Set(targets.map((t) => t.ref))]) {
      const versions = await deps.retry(`versions ${ref}`, () => backend.versions(ref, deps.signal));
      const cur = versions.find((v) => v.stages.includes('current'));
      const age = cur?.createdAt ? (deps.clock.now().getTime() - Date.parse(cur.createdAt)) / DAY : null;
      // overdue: the current version is older than maxAge (a ref with only a pending version awaits its first rotation)
      const pool = backend.standby && secret!.layer === 'provider-key' ? await standbyEntries(backend, ref, deps) : null;
      const min = secret!.minStandby ?? 0;
      refs.push({
        ref,
        versions,
        lastProbe: lastProbe.get(ref) ?? null,
        currentAgeDays: age === null ? null : Math.round(age * 10) / 10,
        overdue: limit !== null && (age !== null ? age > limit : !versions.some((v) => v.stages.includes('pending'))),
        ...(pool ? { standby: { entries: pool, min, low: pool.length < min } } : {}),
      });
    }
    out.push({
      secret: name,
      layer: secret!.layer,
      backend: secret!.backend,
      refs,
      lock: await deps.locks.inspect(name),
      unfinished: unfinished.filter((u) => u.secret === name).map((u) => u.rotationId),
      last: lastBySecret.get(name) ?? null,
    });
  }
  return out;
}
