import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { revertingShadowLines } from '../harness/gateway-fixture.js';
import { crashWorld, lightFixture, ENV_OLD, OLD } from '../harness/crash-world.js';
import { record } from '../harness/figures.js';

describe('SIGKILL after every journal step of a real rollback, then `rekey resume`', () => {
  const fixture = lightFixture();
  const { cli, setup, journal } = crashWorld(fixture);

  test('SIGKILL after every step of a rollback: resume finishes the rollback, all-old and verified', async () => {
    const f = fixture();
    // at every start the unit puts the old key back in a later EnvironmentFile=: every rotation fails verification and rolls back
    writeFileSync(f.envFile, ENV_OLD, { mode: 0o600 }); // the unit starts with the old key: no shadow yet
    await f.installLightUnit(revertingShadowLines(f.root, f.envFile, OLD));
    try {
      await setup();
      const probe = await cli(['rotate', 'anthropic']);
      expect(probe.code, probe.stderr).toBe(5);
      const lines = journal();
      const firstFail = lines.findIndex((l) => l.includes('"type":"fail"')) + 1;
      expect(firstFail).toBeGreaterThan(10);
      let converged = 0;
      let cases = 0;
      for (let k = firstFail; k <= lines.length; k++) {
        const t0 = Date.now();
        await setup();
        cases++;
        const crashed = await cli(['rotate', 'anthropic'], undefined, { REKEY_CRASH_AFTER: String(k) });
        expect(crashed.signal, `rollback case ${k}: ${crashed.stderr}`).toBe('SIGKILL');
        const resumed = await cli(['resume']);
        expect([0, 5], `rollback case ${k}: ${resumed.stdout}${resumed.stderr}`).toContain(resumed.code);
        const st = JSON.parse((await cli(['status', 'anthropic', '--json', '--skip-sources'])).stdout);
        const s0 = st.secrets[0];
        const current = s0.refs[0].versions.find((v: { stages: string[] }) => v.stages.includes('current')).fingerprint as string;
        const ok = readFileSync(f.envFile, 'utf8') === ENV_OLD && current.startsWith('sk-a…aaaa') && s0.unfinished.length === 0 && s0.lock === null;
        // the old credential still verifies at the consumer: a dry run's baseline check passes
        // (then exit 0, or 2 because the rolled-back value was discarded; a failed baseline is 3)
        const check = await cli(['rotate', 'anthropic', '--dry-run']);
        if (ok && [0, 2].includes(check.code ?? -1)) converged++;
        expect(ok, `rollback case ${k}`).toBe(true);
        process.stderr.write(`rollback case ${k}/${lines.length}: old (${Date.now() - t0} ms)\n`);
        rmSync(f.env.REKEY_HOME!, { recursive: true, force: true });
      }
      record({ suite: 'crash (rollback)', measure: 'cases run', value: cases });
      record({ suite: 'crash (rollback)', measure: 'cases converged to old+verified', value: converged, must: String(cases) });
      expect(converged).toBe(cases);
    } finally {
      await f.installLightUnit();
    }
  }, 1_800_000);
});
