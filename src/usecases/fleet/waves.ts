/**
 * The coordinator's waiting (coordinator.ts): open the waves one by one and read the hosts' books
 * until every host of a wave acknowledged the staged version ids, one failed, the wave's deadline
 * passed, or an end record the coordinator did not write appeared (`--abort`); after an abort,
 * wait (bounded) for every host the rollout reached to acknowledge it holds the old value again.
 * Reads and writes records only: never a consumer, never a version.
 */
import type { Policy } from '../../policy/schema.js';
import type { RekeyDeps } from '../context.js';
import { hostBook, rolloutBook } from './host-run.js';
import { ackMatches, endId, fingerprintsOf, latestAck, waveId, type AckRecord, type EndRecord, type OpenRecord, type StagedRecord } from './records.js';

export interface FleetHost {
  host: string;
  wave: number;
  state: 'verified' | 'failed' | 'missing' | 'not-reached' | 'restored';
  fingerprints: Record<string, string>;
  at: string | null;
  reason?: string;
}

export interface WaveOptions {
  waveTimeoutMs: number;
  allowMissing: number;
  pollMs: number;
}

export interface WaveWatch {
  /** per host: what it acknowledged so far */
  readonly state: Map<string, FleetHost>;
  /** an end record this coordinator did not write: an operator's `--abort` (or a takeover) */
  endedOutside(): EndRecord | null;
  /** the last wave opened (-1: none) */
  lastWave(): number;
  /** hosts that missed their wave's deadline */
  missing(): string[];
  /** every wave in turn; returns why the rollout must abort, or null: every wave acknowledged (up to allowMissing) */
  run(): Promise<string | null>;
  /**
   * After an abort: every host the rollout reached acknowledges it once its consumers are back on
   * the current version (those that delivered put it back on their next run). Waits one more wave
   * timeout at most; returns the hosts that delivered and have not confirmed yet.
   */
  awaitRestored(): Promise<{ restored: number; stuck: string[] }>;
}

/** One rollout's view of its hosts, as the coordinator waits on them. */
export function waveWatch(policy: Policy, open: OpenRecord, staged: StagedRecord, opts: WaveOptions, deps: RekeyDeps): WaveWatch {
  const state = new Map<string, FleetHost>(Object.keys(open.hosts).sort().map((h) => [h, { host: h, wave: open.waves.findIndex((w) => w.includes(h)), state: 'not-reached', fingerprints: {}, at: null }]));
  const book = rolloutBook(policy, open.backend, open.secret, deps);
  let endedOutside: EndRecord | null = null;
  let lastWave = -1;
  let missing: string[] = [];
  /** the end record, if someone else wrote it (read until it exists; a failed read is "not yet") */
  const ended = async () => (endedOutside ??= (await book.get(endId(open.seq)).catch(() => null)) as EndRecord | null);
  const outside = (where: string) => `${endedOutside!.reason ?? 'ended from outside'} ${where}`;
  const ackOf = async (h: string): Promise<AckRecord | null> => {
    const list = await hostBook(policy, open.backend, open.secret, h, deps).list().catch(() => []);
    return latestAck(list.map((e) => e.record), open.rollout);
  };
  return {
    state,
    endedOutside: () => endedOutside,
    lastWave: () => lastWave,
    missing: () => missing,
    async run() {
      for (let k = 0; k < open.waves.length; k++) {
        const wave = open.waves[k]!;
        if (k > 0 && (await ended())) return outside(`after wave ${k - 1}`);
        lastWave = k;
        const deadline = deps.clock.now().getTime() + opts.waveTimeoutMs;
        await book.add(waveId(open.seq, k), { kind: 'wave', rollout: open.rollout, wave: k, hosts: wave, openedAt: deps.clock.now().toISOString(), deadline: new Date(deadline).toISOString() });
        deps.log.info({ rollout: open.rollout, wave: k, hosts: wave }, 'wave open');
        for (;;) {
          const waiting: string[] = [];
          for (const h of wave) {
            const a = await ackOf(h);
            const s = state.get(h)!;
            if (a && a.what === 'delivered' && ackMatches({ seq: open.seq, open, staged, waves: [], end: null }, a, open.hosts[h]!)) Object.assign(s, { state: 'verified', fingerprints: fingerprintsOf(a), at: a.at });
            else if (a && a.what === 'failed') Object.assign(s, { state: 'failed', at: a.at, reason: a.reason ?? 'failed' });
            else waiting.push(h);
          }
          const failed = wave.filter((h) => state.get(h)!.state === 'failed');
          if (failed.length) return `host ${failed.join(', ')} failed in wave ${k}: ${failed.map((h) => state.get(h)!.reason).join('; ')}`;
          if (waiting.length === 0) break;
          if (await ended()) return outside(`in wave ${k}`);
          if (deps.clock.now().getTime() >= deadline) {
            for (const h of waiting) state.get(h)!.state = 'missing';
            missing = [...missing, ...waiting];
            if (missing.length > opts.allowMissing) return `wave ${k} timed out after ${opts.waveTimeoutMs} ms: ${waiting.join(', ')} did not acknowledge (${missing.length} missing, --allow-missing ${opts.allowMissing})`;
            break;
          }
          await deps.clock.sleep(opts.pollMs, deps.signal);
        }
      }
      return (await ended()) ? outside('before the promote') : null;
    },
    async awaitRestored() {
      const reached = [...state.values()].filter((s) => s.wave <= lastWave && s.state !== 'failed' && s.state !== 'missing');
      const waiting = () => reached.filter((s) => s.state !== 'restored');
      const until = deps.clock.now().getTime() + opts.waveTimeoutMs;
      for (;;) {
        for (const s of waiting()) {
          const a = await ackOf(s.host);
          if (a?.what === 'restored') Object.assign(s, { state: 'restored', fingerprints: fingerprintsOf(a), at: a.at });
        }
        if (waiting().length === 0 || deps.clock.now().getTime() >= until) break;
        await deps.clock.sleep(opts.pollMs, deps.signal);
      }
      const stuck = waiting().filter((s) => s.state === 'verified').map((s) => s.host);
      // not heard from since the abort: their agent acknowledges it when it next runs
      for (const s of waiting()) if (s.state !== 'verified') s.state = 'missing';
      return { restored: reached.length - waiting().length, stuck };
    },
  };
}
