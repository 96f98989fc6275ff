import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from '../harness/gateway-fixture.js';
import { rekeyAsync } from '../harness/rekey-cli.js';
import { record } from '../harness/figures.js';

const OLD = 'sk-ant-old-0000000000000000000000000000000000aaaa';
const NEW = 'sk-ant-new-1111111111111111111111111111111111bbbb';
const ENV_OLD = `# ops\nOPENCLAW_LOG_LEVEL=info\nANTHROPIC_API_KEY=${OLD}\n`;
const ENV_NEW = `# ops\nOPENCLAW_LOG_LEVEL=info\nANTHROPIC_API_KEY=${NEW}\n`;

describe('SIGKILL after every journal step of a real rotation, then `rekey resume`', () => {
  let f: GatewayFixture;
  let n = 0;
  const cli = (args: string[], input?: string, extra: Record<string, string> = {}) => rekeyAsync([...args, '--policy', f.policyFile], { ...f.env, ...extra }, input);

  let template = '';
  /** OLD delivered and current, NEW put as pending: prepared once, copied per case */
  const setup = async () => {
    const home = join(f.root, `rekey-${++n}`);
    if (!template) {
      f.env.REKEY_HOME = template = join(f.root, 'rekey-template');
      expect((await cli(['init'])).code).toBe(0);
      writeFileSync(f.envFile, ENV_OLD, { mode: 0o600 });
      expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], OLD)).code).toBe(0);
      expect((await cli(['rotate', 'anthropic'])).code).toBe(0);
      expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], NEW)).code).toBe(0);
    }
    cpSync(template, home, { recursive: true, preserveTimestamps: true });
    f.env.REKEY_HOME = home;
    writeFileSync(f.envFile, ENV_OLD, { mode: 0o600 });
  };
  const journalLines = () => {
    const dir = join(f.env.REKEY_HOME!, 'journal');
    const files = readdirSync(dir).sort();
    return readFileSync(join(dir, files.at(-1)!), 'utf8').trim().split('\n').length;
  };

  beforeAll(async () => {
    f = await startGatewayFixture({ allow: [], settleMs: 200 });
    await f.installLightUnit();
  });
  afterAll(async () => {
    await f?.close();
  });

  test('every case converges: all-old or all-new, verified, stages consistent, no lock left', async () => {
    await setup();
    expect((await cli(['rotate', 'anthropic'])).code).toBe(0);
    const total = journalLines();
    expect(total).toBeGreaterThanOrEqual(20);

    const rows: { k: number; ending: string }[] = [];
    let noWorkingCredential = 0;
    for (let k = 1; k <= total; k++) {
      const t0 = Date.now();
      await setup();
      const crashed = await cli(['rotate', 'anthropic'], undefined, { REKEY_CRASH_AFTER: String(k) });
      expect(crashed.signal, `case ${k}: ${crashed.stderr}`).toBe('SIGKILL');
      const resumed = await cli(['resume']);
      // 0: rolled forward and promoted; 5: rolled back, old credential verified
      expect([0, 5], `case ${k}: resume said ${resumed.stdout}${resumed.stderr}`).toContain(resumed.code);
      const text = readFileSync(f.envFile, 'utf8');
      const st = JSON.parse((await cli(['status', 'anthropic', '--json'])).stdout) as {
        secrets: { unfinished: string[]; lock: unknown; refs: { versions: { stages: string[]; fingerprint: string }[] }[] }[];
      };
      const s = st.secrets[0]!;
      expect(s.unfinished, `case ${k}`).toEqual([]);
      expect(s.lock, `case ${k}`).toBeNull();
      const current = s.refs[0]!.versions.find((v) => v.stages.includes('current'))!.fingerprint;
      let ending: string;
      if (text === ENV_NEW && current.startsWith('sk-a…bbbb')) ending = 'new';
      else if (text === ENV_OLD && current.startsWith('sk-a…aaaa')) ending = 'old';
      else ending = 'inconsistent';
      // and the consumer really verifies with what it holds: a dry run's baseline check passes
      // (exit 0, or 2 when no pending value is left; a failed baseline would be 3)
      const check = await cli(['rotate', 'anthropic', '--dry-run']);
      if (ending === 'inconsistent' || ![0, 2].includes(check.code ?? -1)) noWorkingCredential++;
      expect(ending, `case ${k}: file/backend disagree`).not.toBe('inconsistent');
      rows.push({ k, ending });
      process.stderr.write(`case ${k}/${total}: ${ending} (${Date.now() - t0} ms)\n`);
      rmSync(f.env.REKEY_HOME!, { recursive: true, force: true });
    }
    const converged = rows.length;
    process.stderr.write(`\ncrash matrix: ${total} cases run, ${converged} converged (${rows.filter((r) => r.ending === 'old').length} rolled back, ${rows.filter((r) => r.ending === 'new').length} rolled forward), ${noWorkingCredential} with no working credential\n`);
    record({ suite: 'crash (forward)', measure: 'cases run', value: total });
    record({ suite: 'crash (forward)', measure: 'cases converged', value: converged, must: String(total) });
    record({ suite: 'crash (forward)', measure: 'no working credential', value: noWorkingCredential, must: '0' });
    expect(noWorkingCredential).toBe(0);
    expect(rows[0]!.ending).toBe('old');
    expect(rows.at(-1)!.ending).toBe('new');
  }, 600_000);

  test('SIGKILL after every step of a rollback: resume finishes the rollback, all-old and verified', async () => {
    // a later EnvironmentFile= sets the old key again: every rotation fails verification and rolls back
    const shadow = join(f.root, 'shadow.env');
    writeFileSync(shadow, `ANTHROPIC_API_KEY=${OLD}\n`, { mode: 0o600 });
    await f.installLightUnit(`EnvironmentFile=${shadow}`);
    try {
      await setup();
      const probe = await cli(['rotate', 'anthropic']);
      expect(probe.code, probe.stderr).toBe(5);
      const dir = join(f.env.REKEY_HOME!, 'journal');
      const lines = readFileSync(join(dir, readdirSync(dir).sort().at(-1)!), 'utf8').trim().split('\n');
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
        const st = JSON.parse((await cli(['status', 'anthropic', '--json'])).stdout);
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
  }, 600_000);
});
