import type { Layer, ServiceConfig, SinkConfig, VerifierConfig } from './adapters.js';

/** One delivery resolved for one agent × environment: everything a rotation needs, no values. */
export interface Target {
  /** stable id: `<secret>/<env>/<agent>#<delivery index>` */
  id: string;
  secret: string;
  layer: Layer;
  /** provider id for provider keys */
  provider?: string;
  /** provider keys: whether the provider is asked to accept the key (policy `probe`) */
  probe?: 'required' | 'best-effort' | 'off';
  /** the env name the consumer reads (sink key overrides) */
  envVar: string;
  agent: string;
  env: string;
  /** '*' = whichever host runs the policy */
  host: string;
  backend: string;
  /** resolved backend reference */
  ref: string;
  sink: SinkConfig;
  /** resolved service (unit templates filled), or null */
  service: (ServiceConfig & { name: string }) | null;
  verify: VerifierConfig;
}

/**
 * The OpenClaw CLI a target talks to: its verifier's, else its sink's command, state dir and config
 * path. Every adapter config with a `command` runs the openclaw CLI (that is what the field means).
 */
export function openclawOf(t: Target): { command: string[]; stateDir?: string | undefined; configPath?: string | undefined; timeoutMs?: number | undefined } | null {
  for (const o of [t.verify, t.sink] as { command?: unknown; stateDir?: string; configPath?: string; timeoutMs?: number }[]) {
    if (Array.isArray(o.command)) return { command: o.command as string[], stateDir: o.stateDir, configPath: o.configPath, timeoutMs: o.timeoutMs };
  }
  return null;
}
