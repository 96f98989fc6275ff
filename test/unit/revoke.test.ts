/**
 * Emergency revoke-and-reissue on fakes: consumers move to a new value (a put, a standby), the
 * leaked value is retired upstream at once whatever the policy's grace period; the report has,
 * per consumer, when it stopped holding the leaked value and verified the new one, the time to
 * contain, what still holds it; --retire-first with nothing new names who is left without a
 * credential; no issuer is not "contained"; a revoke killed mid-way is finished by resume,
 * retirement included; a fingerprint is found across secrets and stages.
 */
import { describe, expect, test } from 'vitest';
import { createMemoryIssuer } from '../../providers/issuers/memory.js';
import { parsePolicy } from '../../providers/registry.js';
import { isRekeyError } from '../../src/core/errors.js';
import { put } from '../../src/usecases/put.js';
import { rotate } from '../../src/usecases/rotate.js';
import { resumeAll } from '../../src/usecases/resume.js';
import { retireDue } from '../../src/usecases/retire.js';
import { changeReport } from '../../src/usecases/report.js';
import { findFingerprint, findFingerprintInResidue, revoke } from '../../src/usecases/revoke.js';
import { findResidueValues, removeResidue, scanResidue } from '../../src/io/residue-scan.js';
import { SecretValue } from '../../src/core/secret-value.js';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NEW, OLD, policyText, REF, T } from '../harness/fake-world.js';
import { fakeDeps } from '../harness/memory-stores.js';

const withIssuer = parsePolicy(
  // a week of grace in the policy: a revoke ignores it
  policyText.replace('    backend: local\n', '    backend: local\n    issuer: upstream\n    retire: { after: 7d }\n') + 'issuers:\n  upstream: { kind: anthropic-admin, adminKey: { backend: local, ref: rekey/admin } }\n',
);
const noIssuer = parsePolicy(policyText);

async function world() {
  const w = fakeDeps();
  const issuer = createMemoryIssuer({ mint: false, retire: true, unretire: true });
  w.deps.issuer = () => issuer;
  await w.backend.stage(REF, OLD, 'seed', w.deps.signal);
  await w.backend.promote(REF, 'seed', w.deps.signal);
  issuer.add(OLD);
  issuer.add(NEW);
  for (const id of T) w.sink.values.set(id, OLD);
  w.verifier.acceptValue(OLD);
  w.verifier.acceptValue(NEW);
  return { w, issuer };
}

describe('rekey revoke', () => {
  test('reissue then retire: every consumer on the new value, the leaked one retired at once (not after the policy grace), containment report and audit', async () => {
    const { w, issuer } = await world();
    await put(withIssuer, 'anthropic', { env: 'prod' }, NEW, w.deps);
    const r = await revoke(withIssuer, 'anthropic', {}, { retireFirst: false, dryRun: false, scrub: false }, w.deps);
    expect(r.message).toMatch(/^contained/);
    expect(r.exitCode).toBe(0);
    expect(r.leaked).toEqual([{ ref: REF, fingerprint: OLD.fingerprint, stage: 'current' }]);
    expect(T.map((id) => w.sink.values.get(id)?.equals(NEW))).toEqual([true, true]);
    expect(issuer.keys.get(OLD.reveal())!.status).toBe('inactive');
    expect(r.retirements).toMatchObject([{ ref: REF, fingerprint: OLD.fingerprint, outcome: 'retired' }]);
    expect(r.consumers.map((c) => c.target).sort()).toEqual([...T].sort());
    for (const c of r.consumers) {
      expect(c.stoppedHoldingAt).not.toBeNull();
      expect(c.verifiedAt).not.toBeNull();
      expect(c.verifiedAt! >= c.stoppedHoldingAt!).toBe(true);
    }
    expect(r.containedAt).not.toBeNull();
    expect(r.timeToContainMs).toBeGreaterThanOrEqual(0);
    expect(r.stillHolding).toEqual([]);
    const rec = w.audit.records.at(-1)!;
    expect(rec).toMatchObject({ command: 'revoke', outcome: 'contained', oldFingerprints: { [REF]: OLD.fingerprint }, containment: { order: 'reissue-then-retire', stillHolding: [] } });
    expect(JSON.stringify(w.audit.records)).not.toContain(OLD.reveal());
    expect(await w.retirements.open()).toEqual([]);
    // the change-ticket report of the revoke
    const md = changeReport({ id: rec.rotationId, records: w.audit.records, events: await w.journal.read(r.rotation!.rotationId!), adapters: w.deps.planContext.adapters, hostname: w.deps.planContext.hostname });
    expect(md).toMatch(/^# rekey revoke: anthropic — contained\n/);
    for (const part of ['| Outcome | **contained**, exit 0 |', `| ${REF} | \`${OLD.fingerprint}\` → \`${NEW.fingerprint}\` |`, '```mermaid\nflowchart LR', '## Steps', '| **verify** |', '## Containment', 'Order: reissue-then-retire. Contained at', '## Retired upstream', `- \`${OLD.fingerprint}\` at upstream: retired`, 'Nothing rekey can see still holds the leaked fingerprint.', `- \`${REF}\`: version`]) expect(md).toContain(part);
    for (const id of T) expect(md).toContain(`| \`${id}\` |`);
    expect(md).not.toContain(OLD.reveal());
    expect(md).not.toContain(NEW.reveal());
    expect(() => changeReport({ id: 'nope', records: w.audit.records, events: [], adapters: w.deps.planContext.adapters, hostname: 'h' })).toThrow(/no audit record has the rotation id nope/);
  });

  test('--retire-first with no new value: retired before anything else; the consumers left without a credential are named with the command that restores them (exit 3)', async () => {
    const { w, issuer } = await world();
    const r = await revoke(withIssuer, 'anthropic', {}, { retireFirst: true, dryRun: false, scrub: false }, w.deps);
    expect(issuer.keys.get(OLD.reveal())!.status).toBe('inactive');
    expect(r.exitCode).toBe(3);
    expect(r.containedAt).toBeNull();
    expect(r.withoutCredential?.targets.sort()).toEqual([...T].sort());
    expect(r.withoutCredential?.restore).toMatch(/rekey put anthropic .*--stdin && rekey rotate anthropic/);
    expect(w.audit.records.at(-1)).toMatchObject({ command: 'revoke', outcome: 'not-contained', containment: { order: 'retire-first' } });
    // then a key arrives: a plain rotation restores them
    await put(withIssuer, 'anthropic', { env: 'prod' }, NEW, w.deps);
    const again = await revoke(withIssuer, 'anthropic', {}, { retireFirst: true, dryRun: false, scrub: false, fingerprint: OLD.fingerprint }, w.deps);
    expect(again.exitCode, again.message).toBe(0);
    expect(T.map((id) => w.sink.values.get(id)?.equals(NEW))).toEqual([true, true]);
  });

  test('no issuer: consumers move, but the leaked value is still valid upstream — not contained, the console step named (exit 3)', async () => {
    const { w } = await world();
    await put(noIssuer, 'anthropic', { env: 'prod' }, NEW, w.deps);
    const r = await revoke(noIssuer, 'anthropic', {}, { retireFirst: false, dryRun: false, scrub: false }, w.deps);
    expect(T.map((id) => w.sink.values.get(id)?.equals(NEW))).toEqual([true, true]);
    expect(r.exitCode).toBe(3);
    expect(r.containedAt).toBeNull();
    expect(r.manual[0]).toMatch(/revoke .* in the provider's console/);
  });

  test('a dry run changes nothing and says what would happen', async () => {
    const { w, issuer } = await world();
    await put(withIssuer, 'anthropic', { env: 'prod' }, NEW, w.deps);
    const r = await revoke(withIssuer, 'anthropic', {}, { retireFirst: false, dryRun: true, scrub: false }, w.deps);
    expect(r.message).toMatch(/^dry run: 2 consumer\(s\) would move to a new value, then 1 leaked value\(s\) would be retired at upstream at once/);
    expect(issuer.keys.get(OLD.reveal())!.status).toBe('active');
    expect(T.map((id) => w.sink.values.get(id)?.equals(OLD))).toEqual([true, true]);
  });

  test('killed mid-way (after the promote, before its end): resume finishes the rotation and the leaked value is retired at once', async () => {
    const { w, issuer } = await world();
    await put(withIssuer, 'anthropic', { env: 'prod' }, NEW, w.deps);
    const append = w.journal.append.bind(w.journal);
    w.deps.journal = {
      ...w.journal,
      append: async (e) => {
        if (e.type === 'end') throw new Error('process killed');
        await append(e);
      },
    };
    const e = await revoke(withIssuer, 'anthropic', {}, { retireFirst: false, dryRun: false, scrub: false }, w.deps).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Error);
    expect(issuer.keys.get(OLD.reveal())!.status).toBe('active');
    w.deps.journal = w.journal;
    const [rep] = await resumeAll(withIssuer, w.deps);
    expect(rep!.outcome).toBe('promoted');
    const done = await retireDue(withIssuer, w.deps);
    expect(done).toMatchObject([{ fingerprint: OLD.fingerprint, outcome: 'retired' }]);
    expect(issuer.keys.get(OLD.reveal())!.status).toBe('inactive');
  });

  test('a revoke killed while its consumers were being moved (before the promote) is finished forward by resume, not rolled back to the leaked value; a plain rotation killed there rolls back', async () => {
    for (const emergency of [true, false]) {
      const { w, issuer } = await world();
      // the revoke draws its new value from the standby pool; the plain rotation gets a put
      await put(withIssuer, 'anthropic', { env: 'prod' }, NEW, w.deps, emergency ? { standby: true } : {});
      const append = w.journal.append.bind(w.journal);
      w.deps.journal = {
        ...w.journal,
        append: async (e) => {
          if (e.type === 'phase' && e.phase === 'verify') throw new Error('process killed');
          await append(e);
        },
      };
      const run = emergency
        ? revoke(withIssuer, 'anthropic', {}, { retireFirst: false, dryRun: false, scrub: false }, w.deps)
        : rotate(withIssuer, 'anthropic', {}, { dryRun: false }, w.deps);
      expect(await run.catch((x: unknown) => x)).toBeInstanceOf(Error);
      // the consumers hold the new value, nothing promoted or retired yet
      expect(T.map((id) => w.sink.values.get(id)?.equals(NEW))).toEqual([true, true]);
      expect(issuer.keys.get(OLD.reveal())!.status).toBe('active');
      w.deps.journal = w.journal;
      const [rep] = await resumeAll(withIssuer, w.deps);
      if (emergency) {
        expect(rep!.outcome).toBe('promoted');
        expect(rep!.message).toMatch(/emergency revoke interrupted during restart: moving the consumers on/);
        expect(T.map((id) => w.sink.values.get(id)?.equals(NEW))).toEqual([true, true]);
        expect(await retireDue(withIssuer, w.deps)).toMatchObject([{ fingerprint: OLD.fingerprint, outcome: 'retired' }]);
        expect(issuer.keys.get(OLD.reveal())!.status).toBe('inactive');
        // the drawn key left the pool, and the old value is never drawn as a new one
        expect(await w.backend.standby!.list(REF, w.deps.signal)).toEqual([]);
      } else {
        expect(rep!.outcome).toBe('rolled-back');
        expect(T.map((id) => w.sink.values.get(id)?.equals(OLD))).toEqual([true, true]);
      }
    }
  });

  test('--fingerprint: found by its hash part in whichever stage holds it; an unknown one finds nothing', async () => {
    const { w } = await world();
    await put(withIssuer, 'anthropic', { env: 'prod' }, NEW, w.deps);
    const hash = OLD.fingerprint.split('#')[1]!;
    expect(await findFingerprint(withIssuer, hash, w.deps)).toEqual([{ secret: 'anthropic', env: 'prod', ref: REF, stage: 'current', fingerprint: OLD.fingerprint }]);
    expect(await findFingerprint(withIssuer, NEW.fingerprint, w.deps)).toMatchObject([{ stage: 'pending' }]);
    expect(await findFingerprint(withIssuer, 'deadbeef', w.deps)).toEqual([]);
    const e = await revoke(withIssuer, 'anthropic', {}, { retireFirst: false, dryRun: false, scrub: false, fingerprint: 'deadbeef' }, w.deps).catch((x: unknown) => x);
    expect(isRekeyError(e) && e.code).toBe('NOTHING_TO_REVOKE');
  });

  test('--fingerprint of a value only an OpenClaw backup still holds (no version has it): found there, retired upstream at once, the backup removed with --scrub; contained', async () => {
    const { w, issuer } = await world();
    const home = mkdtempSync(join(tmpdir(), 'rekey-revoke-residue-'));
    try {
      w.deps.planContext = { ...w.deps.planContext, home };
      w.deps.residue = { scan: scanResidue, find: findResidueValues, remove: removeResidue };
      const ANCIENT = SecretValue.of('sk-ant-api03-ancient-' + 'z'.repeat(40));
      issuer.add(ANCIENT);
      mkdirSync(join(home, '.openclaw'), { recursive: true });
      const bak = join(home, '.openclaw', 'openclaw.json.bak.2');
      writeFileSync(bak, JSON.stringify({ models: { providers: { anthropic: { apiKey: ANCIENT.reveal() } } } }));
      writeFileSync(join(home, '.openclaw', 'gateway.systemd.env.last-good'), `ANTHROPIC_API_KEY=${ANCIENT.reveal()}\n`);
      const hash = ANCIENT.fingerprint.split('#')[1]!;
      expect(await findFingerprint(withIssuer, hash, w.deps)).toEqual([]);
      expect(await findFingerprintInResidue(withIssuer, hash, w.deps)).toEqual([{ secret: 'anthropic', files: [join(home, '.openclaw', 'gateway.systemd.env.last-good'), bak] }]);
      // without --scrub: retired, but the backups still hold it (exit 3)
      let r = await revoke(withIssuer, 'anthropic', {}, { retireFirst: false, dryRun: false, scrub: false, fingerprint: hash }, w.deps);
      expect(r).toMatchObject({ leaked: [{ fingerprint: ANCIENT.fingerprint, stage: 'residue' }], rotation: null, consumers: [], exitCode: 3 });
      expect(r.stillHolding).toHaveLength(2);
      expect(issuer.keys.get(ANCIENT.reveal())!.status).toBe('inactive');
      // consumers untouched: they hold the current value, not this one
      expect(T.map((id) => w.sink.values.get(id)?.equals(OLD))).toEqual([true, true]);
      r = await revoke(withIssuer, 'anthropic', {}, { retireFirst: false, dryRun: false, scrub: true, fingerprint: hash }, w.deps);
      expect(r.exitCode).toBe(0);
      expect(r.message).toMatch(/^contained/);
      expect(r.stillHolding).toEqual([]);
      expect(existsSync(bak)).toBe(false);
      expect(JSON.stringify(r)).not.toContain(ANCIENT.reveal());
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
