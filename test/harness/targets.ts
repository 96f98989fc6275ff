import type { Target } from '../../src/core/target.js';

/** A provider-key target delivered to an env file at `path` (no service, no consumer check). */
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
