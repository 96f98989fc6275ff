/**
 * 2, 4 and 8 simultaneous `rekey rotate` of one secret, as separate processes against the real
 * systemd user manager (the verifier is the light openclaw stand-in: the subject is the lock): exactly one proceeds, the rest exit 3 with a
 * clear message. A lock whose owner is alive is never taken; once the owner is dead it is stale
 * and recovered.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { record } from '../harness/figures.js';
import { OPENCLAW_STANDIN } from '../harness/openclaw.js';
import { startGatewayFixture, type GatewayFixture } from '../harness/gateway-fixture.js';
import { rekeyAsync } from '../harness/rekey-cli.js';

const OLD = 'sk-ant-old-0000000000000000000000000000000000aaaa';
let n = 0;
const key = () => `sk-ant-new-${String(++n).padStart(4, '0')}${'c'.repeat(34)}`;

describe('concurrency with real processes', () => {
  let f: GatewayFixture;
  const cli = (args: string[], input?: string) => rekeyAsync([...args, '--policy', f.policyFile], f.env, input);
  /** a fresh rekey home: OLD current and delivered, a new key put as pending */
  const setup = async () => {
    f.env.REKEY_HOME = join(f.root, `rekey-c-${n}-${Date.now()}`);
    expect((await cli(['init'])).code).toBe(0);
    f.resetEnvFile(`ANTHROPIC_API_KEY=${OLD}\n`);
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], OLD)).code).toBe(0);
    expect((await cli(['rotate', 'anthropic'])).code).toBe(0);
    const NEW = key();
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], NEW)).code).toBe(0);
    return NEW;
  };

  beforeAll(async () => {
    f = await startGatewayFixture({ allow: [], settleMs: 200, verifyCommand: OPENCLAW_STANDIN });
    // the provider accepts every key here (rekey's pre-delivery and post-delivery probes ask it)
    f.fake.acceptWhen(() => true);
    await f.installLightUnit();
  });
  afterAll(async () => {
    await f?.close();
  });

  test.each([2, 4, 8])('%i simultaneous rotations: exactly one proceeds, the rest exit 3', async (N) => {
    const NEW = await setup();
    const runs = await Promise.all(Array.from({ length: N }, () => cli(['rotate', 'anthropic'])));
    const winners = runs.filter((r) => r.code === 0);
    const refused = runs.filter((r) => r.code === 3);
    for (const r of refused) expect(r.stderr).toMatch(/is locked by rotate \(pid \d+ on .*, rotation .*\)|is being locked by another rekey process right now|did not finish/);
    record({ suite: 'concurrency', measure: `${N} at once: proceeded / exit 3 / other`, value: `${winners.length}/${refused.length}/${N - winners.length - refused.length}`, must: `1/${N - 1}/0` });
    expect(winners).toHaveLength(1);
    expect(refused).toHaveLength(N - 1);
    expect(readFileSync(f.envFile, 'utf8')).toBe(`ANTHROPIC_API_KEY=${NEW}\n`);
  });

  test('a lock held by a live process is never taken; when its owner dies it is stale and recovered', async () => {
    const NEW = await setup();
    const owner = spawn('sleep', ['60']);
    const lockDir = join(f.env.REKEY_HOME!, 'locks');
    mkdirSync(lockDir, { recursive: true, mode: 0o700 });
    writeFileSync(join(lockDir, 'anthropic.lock'), JSON.stringify({ pid: owner.pid, host: hostname(), rotationId: 'someone-else', command: 'rotate', since: new Date().toISOString() }));
    const held = await cli(['rotate', 'anthropic']);
    expect(held.code).toBe(3);
    expect(held.stderr).toMatch(new RegExp(`locked by rotate \\(pid ${owner.pid}`));
    owner.kill('SIGKILL');
    await new Promise((r) => owner.once('exit', r));
    const after = await cli(['rotate', 'anthropic']);
    expect(after.code, after.stderr).toBe(0);
    expect(readFileSync(f.envFile, 'utf8')).toBe(`ANTHROPIC_API_KEY=${NEW}\n`);
    record({ suite: 'concurrency', measure: 'live lock taken / stale lock recovered', value: `${held.code === 3 ? 0 : 1}/${after.code === 0 ? 1 : 0}`, must: '0/1' });
  });
});
