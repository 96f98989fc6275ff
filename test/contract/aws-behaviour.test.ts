/**
 * The AWS adapter as Secrets Manager really behaves, with other writers: an operator's new
 * AWSCURRENT between stage and promote, a finished Lambda rotation (AWSPENDING on AWSCURRENT),
 * AWS-native rotation, deletion, paging, the version quota, config errors, JSON values.
 * Real SDK client against the loopback fake.
 */
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAwsSecretsManagerBackend, rotationOf, tokenFor } from '../../providers/backends/aws-secrets-manager.js';
import { SecretValue } from '../../src/core/secret-value.js';
import { awsClientFor } from '../harness/aws-client.js';
import { startFakeSecretsManager, type FakeSecretsManager } from '../harness/fake-secrets-manager.js';

const sig = () => new AbortController().signal;
const v = (s: string) => SecretValue.of(s);
let n = 0;
/** rekey-shaped ids: 41 characters, put ids 45 */
const rid = (tag = '') => `20261130T1000${String(++n).padStart(2, '0')}Z-${'0'.repeat(22)}${tag.padStart(2, '0').slice(-2)}`;
const putId = () => `put-${rid('p')}`;

let aws: FakeSecretsManager;
let paged: FakeSecretsManager;
beforeAll(async () => {
  aws = await startFakeSecretsManager();
  paged = await startFakeSecretsManager({ pageSize: 2 });
});
afterAll(async () => {
  await aws?.close();
  await paged?.close();
});
const backend = (extra: object = {}, fake = aws) => createAwsSecretsManagerBackend({ createMissing: true, ...extra }, awsClientFor(fake.endpoint));
const holderOf = (fake: FakeSecretsManager, name: string, label: string) => Object.entries(fake.labels(name)).find(([, l]) => l.includes(label))?.[0];

/** a secret whose AWSCURRENT is `value`, written by rekey's put + promote */
async function seeded(b = backend(), value = 'seed-value-00000000000000', fake = aws) {
  const ref = `openclaw/aws-${++n}`;
  const p = putId();
  await b.stage(ref, v(value), p, sig());
  await b.promote(ref, p, sig());
  expect(holderOf(fake, ref, 'AWSCURRENT')).toBeDefined();
  return ref;
}

describe('other writers', () => {
  test('an operator writes a new AWSCURRENT between stage and promote → CURRENT_MOVED naming both versions; the operator\'s value stays current', async () => {
    const b = backend();
    const ref = await seeded(b);
    const base = holderOf(aws, ref, 'AWSCURRENT')!;
    const id = rid();
    const staged = await b.stage(ref, v('rekey-new-0000000000000000'), id, sig());
    expect(staged.detail).toContain(`over AWSCURRENT ${base}`);
    const operator = aws.writeCurrent(ref, 'operator-emergency-0000000');
    const err = await b.promote(ref, id, sig(), staged.receipt).catch((e) => e);
    expect(err).toMatchObject({ code: 'CURRENT_MOVED', exitCode: 4, retryable: false });
    expect(err.message).toContain(`from version ${base} to ${operator}`);
    expect((await b.read(ref, 'current', sig()))!.value.reveal()).toBe('operator-emergency-0000000');
    expect(aws.labels(ref)[operator]).toEqual(['AWSCURRENT']);
    await b.discard(ref, id, sig(), staged.receipt);
    expect(await b.read(ref, 'pending', sig())).toBeNull();
  });

  test('a finished Lambda rotation (AWSPENDING left on AWSCURRENT) is "no rotation in progress"; rekey rotates over it and the real previous keeps AWSPREVIOUS', async () => {
    const b = backend();
    const ref = await seeded(b);
    const lambda = aws.lambdaRotation(ref, 'lambda-rotated-00000000000', { finish: true });
    expect(aws.labels(ref)[lambda]).toEqual(['AWSCURRENT', 'AWSPENDING']);
    expect(await b.read(ref, 'pending', sig())).toBeNull();
    expect((await b.versions(ref, sig())).flatMap((x) => x.stages)).not.toContain('pending');
    const id = rid();
    const staged = await b.stage(ref, v('rekey-next-000000000000000'), id, sig());
    expect(aws.labels(ref)[lambda]).toEqual(['AWSCURRENT']); // the stray label moved to rekey's version
    await b.promote(ref, id, sig(), staged.receipt);
    expect((await b.read(ref, 'current', sig()))!.value.reveal()).toBe('rekey-next-000000000000000');
    expect(aws.labels(ref)[lambda]).toEqual(['AWSPREVIOUS']);
  });

  test('a Lambda rotation in flight (AWSPENDING on its own version) is a pending version held by someone else', async () => {
    const b = backend();
    const ref = await seeded(b);
    const lambda = aws.lambdaRotation(ref, 'lambda-pending-00000000000');
    const p = await b.read(ref, 'pending', sig());
    expect(p).toMatchObject({ versionId: lambda, rotationId: lambda });
  });
});

describe('versions and tokens', () => {
  test('a put + rotate makes one version: the rotation claims the pending version put made', async () => {
    const b = backend();
    const ref = await seeded(b);
    const before = Object.keys(aws.labels(ref)).length;
    const p = putId();
    await b.stage(ref, v('put-value-0000000000000000'), p, sig());
    const id = rid();
    const staged = await b.stage(ref, v('put-value-0000000000000000'), id, sig());
    expect(rotationOf(staged.versionId)).toBe(p);
    await b.promote(ref, id, sig(), staged.receipt);
    expect(Object.keys(aws.labels(ref)).length - before).toBe(1);
    expect(holderOf(aws, ref, 'AWSCURRENT')).toBe(staged.versionId);
  });

  test('100 put + rotate cycles, 15 minutes apart: within the version quota (AWS removes versions once they are 24 h old)', async () => {
    const b = backend();
    const ref = await seeded(b);
    for (let i = 0; i < 100; i++) {
      const value = v(`cycle-${String(i).padStart(4, '0')}-000000000000000`);
      const p = putId();
      await b.stage(ref, value, p, sig());
      const id = rid();
      const s = await b.stage(ref, value, id, sig());
      await b.promote(ref, id, sig(), s.receipt);
      aws.advance(15 * 60);
    }
    expect(aws.secrets.get(ref)!.versions.size).toBeLessThanOrEqual(100);
    expect((await b.read(ref, 'current', sig()))!.value.reveal()).toBe('cycle-0099-000000000000000');
  });

  test('the quota is real in the fake: more than 100 versions within 24 hours is LimitExceededException, named with a hint', async () => {
    const b = backend();
    const ref = await seeded(b);
    const client = awsClientFor(aws.endpoint);
    for (let i = 0; i < 99; i++) await client.send(new PutSecretValueCommand({ SecretId: ref, ClientRequestToken: `burst-${String(i).padStart(4, '0')}-${'0'.repeat(26)}`, SecretString: `burst-${i}`, VersionStages: ['x'] }));
    const err = await b.stage(ref, v('one-too-many-0000000000000'), rid(), sig()).catch((e) => e);
    expect(err).toMatchObject({ code: 'AWS_LIMITEXCEEDED', exitCode: 4 });
    expect(err.hint).toMatch(/too many versions/);
  });

  test('restaging a rotation after a discard uses a fresh token (AWS ignores a repeated one) and promotes', async () => {
    const b = backend();
    const ref = await seeded(b);
    const id = rid();
    const first = await b.stage(ref, v('first-try-0000000000000000'), id, sig());
    await b.discard(ref, id, sig(), first.receipt);
    const second = await b.stage(ref, v('second-try-000000000000000'), id, sig());
    expect(first.versionId).toBe(tokenFor(id, 1));
    expect(second.versionId).toBe(tokenFor(id, 2));
    await b.promote(ref, id, sig(), second.receipt);
    expect((await b.read(ref, 'current', sig()))!.value.reveal()).toBe('second-try-000000000000000');
  });

  test('ListSecretVersionIds is paged (NextToken): versions and token attempts see every page', async () => {
    const b = backend({}, paged);
    const ref = await seeded(b, 'seed-value-00000000000000', paged);
    for (let i = 0; i < 3; i++) {
      const id = rid();
      const s = await b.stage(ref, v(`paged-${i}-0000000000000000000`), id, sig());
      await b.promote(ref, id, sig(), s.receipt);
    }
    const id = rid();
    const a = await b.stage(ref, v('paged-a-000000000000000000'), id, sig());
    await b.discard(ref, id, sig(), a.receipt);
    const c = await b.stage(ref, v('paged-c-000000000000000000'), id, sig());
    expect(c.versionId).toBe(tokenFor(id, 2));
    const stages = (await b.versions(ref, sig())).flatMap((x) => x.stages).sort();
    expect(stages).toEqual(['current', 'pending', 'previous']);
    expect(paged.calls.filter((x) => x === 'ListSecretVersionIds').length).toBeGreaterThan(2);
  });
});

describe('what rekey may write', () => {
  test('AWS-native rotation enabled → refused (exit 3) with a hint, unless allowNativeRotation', async () => {
    const ref = await seeded();
    aws.setRotationEnabled(ref, true);
    const err = await backend().checkWritable!(ref, sig()).catch((e) => e);
    expect(err).toMatchObject({ code: 'NATIVE_ROTATION_ENABLED', exitCode: 3 });
    expect(err.hint).toMatch(/cancel-rotate-secret|allowNativeRotation/);
    await expect(backend({ allowNativeRotation: true }).checkWritable!(ref, sig())).resolves.toBeUndefined();
  });

  test('a secret scheduled for deletion → refused (exit 3) naming restore-secret; AWS itself refuses reads of it', async () => {
    const ref = await seeded();
    aws.scheduleDeletion(ref);
    await expect(backend().checkWritable!(ref, sig())).rejects.toMatchObject({ code: 'SECRET_SCHEDULED_FOR_DELETION', exitCode: 3 });
    await expect(backend().read(ref, 'current', sig())).rejects.toMatchObject({ code: 'AWS_INVALIDREQUEST', exitCode: 4 });
  });

  test('kmsKeyId and tags go on the secret rekey creates', async () => {
    const b = backend({ kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/cmk-1', tags: { team: 'platform', managedBy: 'rekey' } });
    const ref = `openclaw/kms-${++n}`;
    await b.stage(ref, v('kms-value-0000000000000000'), putId(), sig());
    const s = aws.secrets.get(ref)!;
    expect(s.kmsKeyId).toBe('arn:aws:kms:us-east-1:123456789012:key/cmk-1');
    expect(s.tags).toEqual([
      { Key: 'team', Value: 'platform' },
      { Key: 'managedBy', Value: 'rekey' },
    ]);
  });

  test('jsonKey over a value that is not JSON → NOT_JSON with the fingerprint, never a piece of the value', async () => {
    const plain = backend();
    const ref = await seeded(plain, 'sk-ant-notjson-SECRETPART-0000');
    const json = backend({ jsonKey: 'apiKey' });
    for (const attempt of [() => json.read(ref, 'current', sig()), () => json.stage(ref, v('{"x":1}-000000000000000000'), rid(), sig())]) {
      const err = await attempt().catch((e) => e);
      expect(err).toMatchObject({ code: 'NOT_JSON' });
      expect(err.message).not.toMatch(/SECRETPART|notjson/);
      expect(err.message).toMatch(/sk-a…|#/);
    }
  });
});

describe('configuration errors are exit 2 with the SDK\'s words, never retried as "unreachable"', () => {
  const saved = { ...process.env };
  afterAll(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });
  test.each([
    ['no region', {}, /Region is missing/],
    ['no credentials', { region: 'us-east-1' }, /Could not load credentials/],
  ])('%s', async (_label, cfg, words) => {
    for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
    Object.assign(process.env, { AWS_CONFIG_FILE: '/nonexistent/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials', AWS_EC2_METADATA_DISABLED: 'true' });
    const client = new SecretsManagerClient({ ...cfg, endpoint: aws.endpoint, maxAttempts: 1 });
    const err = await createAwsSecretsManagerBackend({ createMissing: true }, client).read('openclaw/x', 'current', sig()).catch((e) => e);
    expect(err).toMatchObject({ code: 'AWS_CONFIG', exitCode: 2 });
    expect(err.retryable).toBeUndefined();
    expect(err.message).toMatch(words);
  });
});
