import { describe, expect, test } from 'vitest';
import { renderLaunchdAgent, renderSystemdAgent } from '../../providers/services/render-agent.js';
import { catalog, parsePolicy } from '../../providers/registry.js';
import { anthropicPolicy } from '../harness/light-policy.js';
import { fleetPlan, wavesOf } from '../../src/usecases/fleet/fleet-plan.js';
import { hostSecrets } from '../../src/usecases/fleet/agent.js';
import { ackId, ackMatches, endId, latestAck, nextSeq, openId, rollouts, stagedId, waveId, waveOpen, type AckRecord, type OpenRecord, type RolloutRecord } from '../../src/usecases/fleet/records.js';

const policy = (hostLine: (i: number) => string) =>
  parsePolicy(
    anthropicPolicy({
      services: '{ gw: { kind: systemd-user, unit: gw.service } }',
      deliveries: [1, 2, 3].map((i) => `      - { ${hostLine(i)}agent: main, env: prod, sink: { kind: systemd-env-file, path: "/srv/h${i}/gw.env" }, service: gw, verify: { kind: openclaw-models-status } }`).join('\n'),
    }),
  );

const ctx = { planContext: { hostname: 'h1', home: '/home/x', adapters: catalog } } as never;

const open = (seq: number, rollout: string): OpenRecord => ({ kind: 'open', rollout, seq, secret: 'anthropic', backend: 'v', coordinator: 'ops', startedAt: '2026-12-01T00:00:00.000Z', waves: [['h1'], ['h2', 'h3']], waveTimeoutMs: 60_000, allowMissing: 0, deadline: '2026-12-01T00:03:00.000Z', hosts: { h1: ['r'], h2: ['r'], h3: ['r'] } });

describe('fleet rotation: waves, records, acknowledgements (pure)', () => {
  test('waves: the canary alone first, then batches; an unknown canary is refused', () => {
    expect(wavesOf(['a', 'b', 'c', 'd', 'e'], 'c', 2)).toEqual([['c'], ['a', 'b'], ['d', 'e']]);
    expect(wavesOf(['a', 'b', 'c'], undefined, 10)).toEqual([['a', 'b', 'c']]);
    expect(() => wavesOf(['a'], 'zz', 1)).toThrow(/--canary zz/);
  });

  test('the fleet plan holds every host\'s targets; a delivery without a host is refused', () => {
    const p = fleetPlan(policy((i) => `host: h${i}, `), 'anthropic', {}, ctx);
    expect(p.targets.map((t) => t.host)).toEqual(['h1', 'h2', 'h3']);
    expect(p.refs).toEqual(['openclaw/prod/anthropic']);
    expect(() => fleetPlan(policy((i) => (i === 2 ? '' : `host: h${i}, `)), 'anthropic', {}, ctx)).toThrow(/name its host/);
    expect(hostSecrets(policy((i) => `host: h${i}, `), 'h2')).toEqual(['anthropic']);
    expect(hostSecrets(policy((i) => `host: h${i}, `), 'h9')).toEqual([]);
  });

  test('records → rollouts by sequence; the next sequence is past every record; waves open per host', () => {
    const entries: { id: string; record: RolloutRecord }[] = [
      { id: openId(1), record: open(1, 'R1') },
      { id: endId(1), record: { kind: 'end', rollout: 'R1', outcome: 'aborted', at: 'x' } },
      { id: openId(2), record: open(2, 'R2') },
      { id: stagedId(2), record: { kind: 'staged', rollout: 'R2', at: 'x', refs: { r: { versionId: '7', fingerprint: 'fp-new', oldFingerprint: 'fp-old' } } } },
      { id: waveId(2, 0), record: { kind: 'wave', rollout: 'R2', wave: 0, hosts: ['h1'], openedAt: 'x', deadline: 'y' } },
    ];
    const rs = rollouts(entries);
    expect(rs.map((r) => [r.seq, r.end?.outcome ?? 'open'])).toEqual([
      [1, 'aborted'],
      [2, 'open'],
    ]);
    expect(nextSeq(entries)).toBe(3);
    expect(nextSeq([])).toBe(1);
    const r2 = rs[1]!;
    expect(waveOpen(r2, 'h1')).toBe(true);
    expect(waveOpen(r2, 'h2')).toBe(false);
    expect(waveOpen(rs[0]!, 'h1')).toBe(false);
    // record ids sort by sequence and kind, and fit AWS's token and label limits
    expect([endId(2), waveId(2, 0), openId(2), stagedId(2)].sort()).toEqual([openId(2), stagedId(2), waveId(2, 0), endId(2)]);
    expect(ackId(999999, 'converged', '20261201T000000Z-0123456789abcdef01234567').length).toBeLessThanOrEqual(53);
  });

  test('an acknowledgement counts only with the staged version ids and fingerprints of every ref the host reads', () => {
    const r = rollouts([
      { id: openId(2), record: open(2, 'R2') },
      { id: stagedId(2), record: { kind: 'staged', rollout: 'R2', at: 'x', refs: { r: { versionId: '7', fingerprint: 'fp-new', oldFingerprint: null } } } },
    ])[0]!;
    const ack = (refs: AckRecord['refs'], at = '2026-12-01T00:00:01.000Z', rollout = 'R2'): AckRecord => ({ kind: 'ack', rollout, seq: 2, host: 'h1', what: 'delivered', refs, targets: [], at, run: 'x' });
    expect(ackMatches(r, ack({ r: { versionId: '7', fingerprint: 'fp-new' } }), ['r'])).toBe(true);
    expect(ackMatches(r, ack({ r: { versionId: '6', fingerprint: 'fp-new' } }), ['r'])).toBe(false); // another version with the same value
    expect(ackMatches(r, ack({ r: { versionId: '7', fingerprint: 'fp-other' } }), ['r'])).toBe(false);
    expect(ackMatches(r, ack({}), ['r'])).toBe(false);
    expect(ackMatches(r, ack({ r: { versionId: '7', fingerprint: 'fp-new' } }, undefined, 'R1'), ['r'])).toBe(false); // an earlier rollout's
    const later = ack({ r: { versionId: '7', fingerprint: 'fp-new' } }, '2026-12-01T00:00:09.000Z');
    expect(latestAck([later, ack({})], 'R2')).toBe(later);
    expect(latestAck([later], 'R9')).toBeNull();
  });

  test('agent timers: systemd runs `rekey agent` every N seconds (no overlap), launchd every N seconds', () => {
    const spec = { argv: ['/usr/bin/node', '/opt/rekey/bin.js', 'agent', '--policy', '/etc/rekey.yaml'], env: { PATH: '/usr/bin', REKEY_HOSTNAME: 'gw-1' } };
    const u = renderSystemdAgent(spec, 30);
    expect(u.service).toMatch(/^ExecStart=.*\/opt\/rekey\/bin.js"? "?agent"? "?--policy"? "?\/etc\/rekey.yaml"?$/m);
    expect(u.service).toMatch(/^Environment="?REKEY_HOSTNAME=gw-1"?$/m);
    expect(u.service).toMatch(/^Type=oneshot$/m);
    expect(u.service).toMatch(/^Description=rekey: fleet agent/m);
    expect(u.timer).toMatch(/^OnUnitActiveSec=30$/m);
    expect(u.timer).toMatch(/^Unit=rekey-agent.service$/m);
    const plist = renderLaunchdAgent({ ...spec, logDir: '/Users/x/Library/Logs/rekey' }, 45);
    expect(plist).toMatch(/<key>StartInterval<\/key>\s*<integer>45<\/integer>/);
    expect(plist).toContain('<string>agent</string>');
  });
});
