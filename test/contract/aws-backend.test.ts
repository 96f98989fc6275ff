import { afterAll, beforeAll } from 'vitest';
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
