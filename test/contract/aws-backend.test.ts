import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SecretValue } from '../../src/core/secret-value.js';
import { createAwsSecretsManagerBackend } from '../../providers/backends/aws-secrets-manager.js';
import { awsClientFor } from '../harness/aws-client.js';
import { startFakeSecretsManager, type FakeSecretsManager } from '../harness/fake-secrets-manager.js';
import { secretBackendContract } from './secret-backend.contract.js';

let fake: FakeSecretsManager;
let n = 0;
beforeAll(async () => {
  fake = await startFakeSecretsManager();
});
afterAll(async () => {
  await fake.close();
});
// AWS ClientRequestTokens are 32–64 characters: the contract's short ids are padded
const pad = (id: string) => id.padEnd(32, '0');
secretBackendContract('aws-secrets-manager (real SDK over HTTP, plain string)', async () => {
  const inner = createAwsSecretsManagerBackend({ createMissing: true }, awsClientFor(fake.endpoint));
  return {
    backend: {
      ...inner,
      stage: (r, v, id, s) => inner.stage(r, v, pad(id), s),
      promote: (r, id, s) => inner.promote(r, pad(id), s),
      discard: (r, id, s) => inner.discard(r, pad(id), s),
    },
    ref: (name) => `openclaw/contract-${++n}/${name}`,
  };
});
secretBackendContract('aws-secrets-manager (real SDK over HTTP, JSON field)', async () => {
  const inner = createAwsSecretsManagerBackend({ createMissing: true, jsonKey: 'apiKey' }, awsClientFor(fake.endpoint));
  return {
    backend: {
      ...inner,
      stage: (r, v, id, s) => inner.stage(r, v, pad(id), s),
      promote: (r, id, s) => inner.promote(r, pad(id), s),
      discard: (r, id, s) => inner.discard(r, pad(id), s),
    },
    ref: (name) => `openclaw/contract-json-${++n}/${name}`,
  };
});

describe('aws-secrets-manager standby pool', () => {
  const sig = () => new AbortController().signal;
  test('a pooled key is a version with only its rekey-standby label; a secret without a current value takes no standby; a drawn key leaves its label', async () => {
    const b = createAwsSecretsManagerBackend({ createMissing: true, jsonKey: 'apiKey' }, awsClientFor(fake.endpoint));
    const ref = `openclaw/standby-${++n}/anthropic`;
    await expect(b.standby!.add(ref, '20261130T000000Z-aaaaaa', SecretValue.of('value-stby-000000000000'), sig())).rejects.toMatchObject({ code: 'STANDBY_NEEDS_CURRENT' });
    await b.stage(ref, SecretValue.of('value-live-000000000000'), pad('rot-1'), sig());
    await b.promote(ref, pad('rot-1'), sig());
    await b.standby!.add(ref, '20261130T000000Z-aaaaaa', SecretValue.of('value-stby-000000000000'), sig());
    const versions = [...fake.secrets.get(ref)!.versions.values()];
    const pooled = versions.find((v) => v.stages.has('rekey-standby-20261130T000000Z-aaaaaa'))!;
    expect([...pooled.stages]).toEqual(['rekey-standby-20261130T000000Z-aaaaaa']);
    // jsonKey: the pooled version is the current object with the field replaced
    expect(JSON.parse(pooled.value)).toEqual({ apiKey: 'value-stby-000000000000' });
    await b.standby!.remove(ref, '20261130T000000Z-aaaaaa', sig());
    expect(pooled.stages.size).toBe(0);
    expect(await b.standby!.list(ref, sig())).toEqual([]);
  });
});
