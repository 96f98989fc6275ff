import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { awsClientFor } from '../harness/aws-client.js';
import { startFakeSecretsManager, type FakeSecretsManager } from '../harness/fake-secrets-manager.js';
import { OPENCLAW_STANDIN } from '../harness/openclaw.js';
import { startGatewayFixture, type GatewayFixture } from '../harness/gateway-fixture.js';
import { rekeyAsync } from '../harness/rekey-cli.js';

const OLD = 'sk-ant-old-0000000000000000000000000000000000aaaa';
const ENV_OLD = `OPENCLAW_LOG_LEVEL=info\nANTHROPIC_API_KEY=${OLD}\n`;
let n = 0;
const fresh = () => `sk-ant-new-${String(++n).padStart(4, '0')}${'y'.repeat(34)}`;

describe('AWS Secrets Manager backend through the CLI: real SDK, loopback Secrets Manager, real systemd, the light openclaw stand-in', () => {
  let f: GatewayFixture;
  let aws: FakeSecretsManager;
  let secretName = '';
  const cli = (args: string[], input?: string) => rekeyAsync([...args, '--policy', f.policyFile], f.env, input);
  const labels = () => aws.labels(secretName);
  const labelOf = (label: string) => Object.entries(labels()).filter(([, l]) => l.includes(label)).map(([id]) => id);

  beforeAll(async () => {
    f = await startGatewayFixture({ allow: [], settleMs: 200, verifyCommand: OPENCLAW_STANDIN });
    // the provider accepts every key here (rekey's pre-delivery and post-delivery probes ask it)
    f.fake.acceptWhen(() => true);
    aws = await startFakeSecretsManager();
    Object.assign(f.env, { AWS_ACCESS_KEY_ID: 'AKIDREKEYTEST000000', AWS_SECRET_ACCESS_KEY: 'test-secret-access-key', AWS_EC2_METADATA_DISABLED: 'true' });
    await f.installLightUnit();
  });
  afterAll(async () => {
    await aws?.close();
    await f?.close();
  });
  beforeEach(async () => {
    // a fresh secret per test: OLD is AWSCURRENT and delivered
    f.env.REKEY_HOME = join(f.root, `rekey-aws-${++n}`);
    secretName = `openclaw/prod${n}/main/anthropic`;
    f.writePolicy({ backend: `{ kind: aws-secrets-manager, region: us-east-1, endpoint: "${aws.endpoint}" }`, ref: `openclaw/{env}${n}/{agent}/{provider}` });
    expect((await cli(['init'])).code).toBe(0);
    f.resetEnvFile(ENV_OLD);
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], OLD)).code).toBe(0);
    const r = await cli(['rotate', 'anthropic']);
    expect(r.code, r.stderr).toBe(0);
    expect(labelOf('AWSCURRENT')).toHaveLength(1);
    expect(labelOf('AWSPENDING')).toEqual([]);
  });

  test('a full rotation: put stages AWSPENDING, rotate promotes that same version (one version per put + rotate), AWSPREVIOUS on the old one', async () => {
    const before = labelOf('AWSCURRENT')[0]!;
    const count = Object.keys(aws.labels(secretName)).length;
    const versions0 = aws.secrets.get(secretName)!.versions.size;
    const NEW = fresh();
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], NEW)).code).toBe(0);
    const staged = labelOf('AWSPENDING')[0]!;
    expect(staged).toMatch(/^put-\d{8}T\d{6}Z-[0-9a-f]{24}\.a1_*$/);
    const plan = await cli(['plan', 'anthropic']);
    expect(plan.stdout).toMatch(/pending value sk-a…|pending value .* ready to rotate/);
    const r = await cli(['rotate', 'anthropic', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(labels()[staged]).toEqual(['AWSCURRENT']);
    expect(labels()[before]).toEqual(['AWSPREVIOUS']);
    expect(labelOf('AWSPENDING')).toEqual([]);
    expect(aws.secrets.get(secretName)!.versions.size - versions0).toBe(1);
    expect(Object.keys(aws.labels(secretName)).length).toBeGreaterThanOrEqual(count);
    expect(readFileSync(f.envFile, 'utf8')).toBe(`OPENCLAW_LOG_LEVEL=info\nANTHROPIC_API_KEY=${NEW}\n`);
    // the journal keeps the version staged and the AWSCURRENT it was staged over
    const { rotationId } = JSON.parse(r.stdout) as { rotationId: string };
    const journal = readFileSync(join(f.env.REKEY_HOME!, 'journal', `${rotationId}.jsonl`), 'utf8');
    expect(journal).toContain(`over AWSCURRENT ${before}`);
    expect(journal).toMatch(/"receipt":"\{\\"v\\":\\"put-/);
  });

  test('an operator writes a new AWSCURRENT while rekey verifies → promote refused, consumers rolled back, the operator\'s value kept, exit 5 naming both versions', async () => {
    const before = labelOf('AWSCURRENT')[0]!;
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], fresh())).code).toBe(0);
    const journalDir = join(f.env.REKEY_HOME!, 'journal');
    const earlier = new Set(existsSync(journalDir) ? readdirSync(journalDir) : []);
    const running = cli(['rotate', 'anthropic']);
    let delivered = false;
    for (let i = 0; i < 1200 && !delivered; i++) {
      delivered = readdirSync(journalDir)
        .filter((x) => !earlier.has(x))
        .some((x) => /"type":"ok"[^\n]*"phase":"deliver"/.test(readFileSync(join(journalDir, x), 'utf8')));
      if (!delivered) await new Promise((r) => setTimeout(r, 25));
    }
    expect(delivered).toBe(true);
    const operator = aws.writeCurrent(secretName, 'sk-ant-operator-emergency-00000000000000000000');
    const r = await running;
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr).toContain(`moved from version ${before} to ${operator}`);
    expect(labels()[operator]).toEqual(['AWSCURRENT']);
    expect(readFileSync(f.envFile, 'utf8')).toBe(ENV_OLD);
  });

  test('put refuses a pending version an AWS rotation Lambda holds (exit 3, its AWSPENDING untouched); AWS-native rotation enabled is refused by put and rotate', async () => {
    const lambda = aws.lambdaRotation(secretName, 'sk-ant-lambda-pending-0000000000000000000000');
    const p = await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], fresh());
    expect(p.code, p.stderr).toBe(3);
    expect(p.stderr).toMatch(new RegExp(`pending version ${lambda}.*staged by another rotation`));
    expect(labels()[lambda]).toEqual(['AWSPENDING']);
    aws.setRotationEnabled(secretName, true);
    const r = await cli(['rotate', 'anthropic']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/AWS-native rotation enabled/);
    expect(readFileSync(f.envFile, 'utf8')).toBe(ENV_OLD);
  });

  test('a stale AWSPENDING left by someone else is reported by plan, refused by rotate (exit 3), adopted with --take-over-pending', async () => {
    const foreign = 'f1e2d3c4-b5a6-4978-8899-aabbccddeeff';
    const stale = fresh();
    await awsClientFor(aws.endpoint).send(new PutSecretValueCommand({ SecretId: secretName, ClientRequestToken: foreign, SecretString: stale, VersionStages: ['AWSPENDING'] }));
    const plan = await cli(['plan', 'anthropic']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/PENDING HELD by another rotation \(version f1e2d3c4/);
    const refused = await cli(['rotate', 'anthropic']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/pending version f1e2d3c4.* left by another rotation/);
    expect(refused.stderr).toMatch(/--take-over-pending/);
    expect(readFileSync(f.envFile, 'utf8')).toBe(ENV_OLD);
    const adopted = await cli(['rotate', 'anthropic', '--take-over-pending']);
    expect(adopted.code, adopted.stderr).toBe(0);
    expect(readFileSync(f.envFile, 'utf8')).toContain(stale);
    expect(labelOf('AWSPENDING')).toEqual([]);
  });

  test('throttling is retried with backoff, then the rotation succeeds', async () => {
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], fresh())).code).toBe(0);
    const before = aws.calls.length;
    aws.throttle(3);
    const r = await cli(['rotate', 'anthropic']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/retrying backend call/);
    expect(r.stderr).toMatch(/"code":"THROTTLED"/);
    expect(aws.calls.length - before).toBeGreaterThan(3);
  });

  test('access denied → exit 4 naming the secret, nothing delivered, no request id in the message', async () => {
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], fresh())).code).toBe(0);
    aws.deny('DescribeSecret');
    try {
      const r = await cli(['rotate', 'anthropic']);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(new RegExp(`DescribeSecret on ${secretName.replaceAll('/', '\\/')}: AccessDeniedException`));
      expect(r.stderr).not.toContain('fake-request-id');
      expect(readFileSync(f.envFile, 'utf8')).toBe(ENV_OLD);
      expect(labelOf('AWSPENDING').every((id) => id.startsWith('put-'))).toBe(true);
    } finally {
      aws.allow('DescribeSecret');
    }
    // a read denied before anything starts is exit 4 too
    aws.deny('GetSecretValue');
    try {
      const r = await cli(['rotate', 'anthropic']);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/GetSecretValue on .*AccessDeniedException/);
    } finally {
      aws.allow('GetSecretValue');
    }
  });

  test('the server dies mid-rotation → no promote, consumers rolled back; after it returns, resume converges', async () => {
    const NEW = fresh();
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], NEW)).code).toBe(0);
    const current0 = labelOf('AWSCURRENT')[0];
    const journalDir = join(f.env.REKEY_HOME!, 'journal');
    const earlier = new Set(existsSync(journalDir) ? readdirSync(journalDir) : []);
    const running = cli(['rotate', 'anthropic']);
    // kill the server as soon as this rotation has delivered the new key
    let delivered = false;
    for (let i = 0; i < 1200 && !delivered; i++) {
      const mine = readdirSync(journalDir).filter((x) => !earlier.has(x));
      delivered = mine.some((x) => /"type":"ok"[^\n]*"phase":"deliver"/.test(readFileSync(join(journalDir, x), 'utf8')));
      if (!delivered) await new Promise((r) => setTimeout(r, 25));
    }
    expect(delivered).toBe(true);
    await aws.kill();
    const r = await running;
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/unreachable/);
    expect(readFileSync(f.envFile, 'utf8')).toBe(ENV_OLD);
    expect(r.stdout, r.stderr).toMatch(/rekey resume/);
    await aws.revive();
    const resumed = await cli(['resume']);
    expect([0, 4, 5]).toContain(resumed.code);
    const st = JSON.parse((await cli(['status', 'anthropic', '--json'])).stdout);
    expect(st.secrets[0].unfinished).toEqual([]);
    expect(labelOf('AWSCURRENT')).toEqual([current0]);
    expect(labelOf('AWSPENDING').every((id) => id.startsWith('put-'))).toBe(true);
    expect(readFileSync(f.envFile, 'utf8')).toBe(ENV_OLD);
  });
});
