/**
 * `rekey openclaw resolve` (OpenClaw's exec SecretRef protocol) answers from the sinks rekey hands
 * out itself, as their adapters say (`handsOut`): a keychain item behind an exec SecretRef (sink
 * with reload), an env file; never a delivery OpenClaw reads itself (a SecretRef file).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { catalog, parsePolicy } from '../../providers/registry.js';
import { createKeychainSink } from '../../providers/sinks/keychain.js';
import { createMemoryKeychainStore } from '../../providers/sinks/keychain-store.js';
import { createSystemdEnvFileSink } from '../../providers/sinks/systemd-env-file.js';
import { SecretValue } from '../../src/core/secret-value.js';
import { resolveIds } from '../../src/usecases/resolve.js';
import { planRotation } from '../../src/plan/planner.js';
import { anthropicPolicy } from '../harness/light-policy.js';

describe('rekey openclaw resolve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rekey-resolve-'));
  const envFile = join(dir, 'ops.env');
  writeFileSync(envFile, 'OPENAI_API_KEY=sk-openai-from-file-000000001\n', { mode: 0o600 });
  const policy = parsePolicy(
    anthropicPolicy({
      agents: ['main', 'ops'],
      services: '{ gw: { kind: systemd-user, unit: gw.service } }',
      deliveries: '      - { agent: main, env: prod, sink: { kind: keychain, reload: { command: [openclaw] } }, service: null, verify: { kind: openclaw-secrets-audit } }',
      secrets: `  openai:
    layer: provider-key
    provider: openai
    envVar: OPENAI_API_KEY
    backend: local
    ref: o/{env}
    deliveries:
      - { agent: ops, env: prod, sink: { kind: systemd-env-file, path: "${envFile}" }, service: gw, verify: { kind: none, reason: resolve test only } }
      - { agent: main, env: prod, sink: { kind: openclaw-secretref-file, path: "${join(dir, 'secrets.json')}", pointer: /providers/openai/apiKey }, service: null, verify: { kind: openclaw-secrets-audit } }
`,
    }),
  );
  const ctx = { hostname: 'h', home: dir, adapters: catalog };
  const store = createMemoryKeychainStore();
  const sinks: Record<string, ReturnType<typeof createSystemdEnvFileSink>> = { keychain: createKeychainSink(store), 'systemd-env-file': createSystemdEnvFileSink() };
  const deps = { sink: (k: string) => sinks[k]!, planContext: ctx, signal: AbortSignal.timeout(10_000), stepTimeoutMs: 5_000 };

  test('a keychain item behind an exec SecretRef and an env file are handed out; a SecretRef file is not rekey\'s to hand out', async () => {
    const [kc] = planRotation(policy, 'anthropic', {}, ctx).targets;
    await sinks.keychain!.write(kc!, SecretValue.of('sk-ant-in-keychain-00000000001'), AbortSignal.timeout(5_000));
    const r = await resolveIds(policy, { protocolVersion: 1, ids: ['prod/main/ANTHROPIC_API_KEY', 'prod/ops/OPENAI_API_KEY', 'prod/main/OPENAI_API_KEY', 'bad id'] }, deps);
    expect(r.values).toEqual({ 'prod/main/ANTHROPIC_API_KEY': 'sk-ant-in-keychain-00000000001', 'prod/ops/OPENAI_API_KEY': 'sk-openai-from-file-000000001' });
    expect(r.errors).toEqual({ 'prod/main/OPENAI_API_KEY': expect.objectContaining({ code: 'NOT_FOUND' }), 'bad id': expect.objectContaining({ code: 'INVALID_ID' }) });
    expect(JSON.stringify(r.fingerprints)).not.toContain('sk-ant-in-keychain-00000000001');
    expect(JSON.stringify(r.fingerprints)).not.toContain('sk-openai-from-file-000000001');
  });
});
