/**
 * A fleet rollout as records in the secret's backend (record books, src/usecases/record-book.ts):
 *
 * - the rollout book `<fleet.prefix>/<secret>/rollouts` (default prefix rekey/fleet), written by coordinators only: per rollout
 *   `r<seq>-a-open` (the claim: two coordinators race for the same id, one wins), `r<seq>-b-staged`
 *   (the pending version id and fingerprint of each ref), `r<seq>-c-wave-<k>` (wave k may deliver,
 *   until its deadline), `r<seq>-z-end` (promoted or aborted);
 * - one host book per host, `<fleet.prefix>/<secret>/hosts/<host>`, written by that host's agent only:
 *   its acknowledgements `r<seq>-<what>-<run>` (delivered and verified, failed, restored after an
 *   abort, converged after a promote), each naming the version ids and fingerprints it holds.
 *
 * Pure: what the records say, no I/O. Records carry names, times, version ids and fingerprints.
 */
import type { Policy } from '../../policy/schema.js';

/** the policy's `fleet.prefix` (default rekey/fleet) */
const prefix = (policy: Policy) => policy.fleet?.prefix ?? 'rekey/fleet';
export const rolloutBookRef = (policy: Policy, secret: string) => `${prefix(policy)}/${secret}/rollouts`;
export const hostBookRef = (policy: Policy, secret: string, host: string) => `${prefix(policy)}/${secret}/hosts/${host}`;

const pad = (seq: number) => `r${String(seq).padStart(6, '0')}`;
export const openId = (seq: number) => `${pad(seq)}-a-open`;
export const stagedId = (seq: number) => `${pad(seq)}-b-staged`;
export const waveId = (seq: number, wave: number) => `${pad(seq)}-c-wave-${String(wave).padStart(3, '0')}`;
export const endId = (seq: number) => `${pad(seq)}-z-end`;
export const ackId = (seq: number, what: AckRecord['what'], run: string) => `${pad(seq)}-${what}-${run.slice(-12)}`;
export const seqOf = (id: string): number => Number(/^r(\d{6})-/.exec(id)?.[1] ?? NaN);

export interface OpenRecord {
  kind: 'open';
  rollout: string;
  seq: number;
  secret: string;
  backend: string;
  coordinator: string;
  startedAt: string;
  /** hosts in wave order (a canary alone first, when named) */
  waves: string[][];
  waveTimeoutMs: number;
  /** hosts that may miss their wave's deadline without aborting (they converge after the promote) */
  allowMissing: number;
  /** past this, the rollout is abandoned: the next coordinator aborts it and starts anew */
  deadline: string;
  /** host → the refs its targets read */
  hosts: Record<string, string[]>;
}
export interface StagedRecord {
  kind: 'staged';
  rollout: string;
  at: string;
  /** ref → the pending version every host must deliver (by version id, never by assumption) */
  refs: Record<string, { versionId: string; fingerprint: string; oldFingerprint: string | null; /** what the backend needs to promote or discard it (AWS: version ids), for whoever ends the rollout */ receipt?: string }>;
}
export interface WaveRecord {
  kind: 'wave';
  rollout: string;
  wave: number;
  hosts: string[];
  openedAt: string;
  deadline: string;
}
export interface EndRecord {
  kind: 'end';
  rollout: string;
  outcome: 'promoted' | 'aborted';
  at: string;
  reason?: string;
  /** hosts that had not acknowledged when the rollout promoted (`--allow-missing`): they converge later */
  missing?: string[];
}
export type RolloutRecord = OpenRecord | StagedRecord | WaveRecord | EndRecord;

export interface AckRecord {
  kind: 'ack';
  rollout: string | null;
  seq: number;
  host: string;
  /** delivered: the pending version delivered and verified; failed: it did not verify (rolled back here); restored: back on current after an abort; converged: moved to current after a promote it missed; seen: a pass with nothing to do (last contact; `rollout` null, no refs) */
  what: 'delivered' | 'failed' | 'restored' | 'converged' | 'seen';
  /** ref → the version and fingerprint this host's consumers now hold (verified) */
  refs: Record<string, { versionId: string; fingerprint: string }>;
  targets: string[];
  at: string;
  /** this host's own rotation id (its journal) */
  run: string;
  reason?: string;
}

export interface Rollout {
  seq: number;
  open: OpenRecord;
  staged: StagedRecord | null;
  waves: WaveRecord[];
  end: EndRecord | null;
}

/** the book's records → rollouts by sequence number, newest last */
export function rollouts(entries: { id: string; record: RolloutRecord }[]): Rollout[] {
  const bySeq = new Map<number, Partial<Rollout> & { waves: WaveRecord[] }>();
  for (const { id, record } of entries) {
    const seq = seqOf(id);
    if (!Number.isFinite(seq)) continue;
    const r = bySeq.get(seq) ?? { seq, waves: [] };
    bySeq.set(seq, r);
    if (record.kind === 'open') r.open = record;
    else if (record.kind === 'staged') r.staged = record;
    else if (record.kind === 'wave') r.waves.push(record);
    else if (record.kind === 'end') r.end = record;
  }
  return [...bySeq.values()]
    .filter((r): r is Rollout => r.open !== undefined)
    .map((r) => ({ seq: r.seq, open: r.open, staged: r.staged ?? null, waves: r.waves.sort((a, b) => a.wave - b.wave), end: r.end ?? null }))
    .sort((a, b) => a.seq - b.seq);
}

/** the next sequence number: one past the highest any record used */
export const nextSeq = (entries: { id: string }[]): number => Math.max(0, ...entries.map((e) => seqOf(e.id)).filter(Number.isFinite)) + 1;

/** the wave a host is in, or -1 */
export const waveOf = (r: Rollout, host: string): number => r.open.waves.findIndex((w) => w.includes(host));

/** has this host's wave been opened (and the rollout not ended)? */
export const waveOpen = (r: Rollout, host: string): boolean => r.end === null && r.staged !== null && r.waves.some((w) => w.hosts.includes(host));

/** an ack of this rollout's pending versions for every ref the host reads */
export function ackMatches(r: Rollout, ack: AckRecord, refs: string[]): boolean {
  if (!r.staged || ack.rollout !== r.open.rollout) return false;
  return refs.every((ref) => {
    const want = r.staged!.refs[ref];
    const got = ack.refs[ref];
    return want !== undefined && got !== undefined && got.versionId === want.versionId && got.fingerprint === want.fingerprint;
  });
}

/** ref → fingerprint of what an acknowledgement says the host holds */
export const fingerprintsOf = (a: AckRecord): Record<string, string> => Object.fromEntries(Object.entries(a.refs).map(([ref, x]) => [ref, x.fingerprint]));

/** the host's latest ack for this rollout (by time), if any */
export function latestAck(acks: AckRecord[], rollout: string): AckRecord | null {
  return acks.filter((a) => a.rollout === rollout).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)).at(-1) ?? null;
}
