import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemorySink } from '../../providers/sinks/memory.js';
import { createSystemdEnvFileSink } from '../../providers/sinks/systemd-env-file.js';
import type { Target } from '../../src/core/target.js';
import { sinkContract } from './sink.contract.js';

export function envFileTarget(path: string, over: Partial<Target> = {}): Target {
  return {
    id: 'anthropic/prod/main#0',
    secret: 'anthropic',
    layer: 'provider-key',
    provider: 'anthropic',
    envVar: 'ANTHROPIC_API_KEY',
    agent: 'main',
    env: 'prod',
    host: '*',
    backend: 'local',
    ref: 'openclaw/prod/anthropic',
    sink: { kind: 'systemd-env-file', path, removeAlternates: true },
    service: null,
    verify: { kind: 'none', reason: 'contract test of the sink only' },
    ...over,
  };
}

sinkContract('memory (fake)', async () => ({ sink: createMemorySink(), target: envFileTarget('/nowhere') }));

sinkContract('systemd-env-file (real files)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rekey-sink-'));
  return { sink: createSystemdEnvFileSink(), target: envFileTarget(join(dir, 'gateway.systemd.env')) };
});
