/**
 * The OpenClaw CLI as one port: what rekey asks an OpenClaw deployment besides delivering to it
 * (sinks) and verifying it (verifiers). One adapter: providers/openclaw/index.ts.
 */
import type { Target } from './target.js';

/** What was found, per place, for one target's provider credential (names and paths only). */
export interface SourceObservation {
  /** stored profiles for the provider: on the target's agent, and on main (inherited by agents without their own) */
  profiles: { agent: string; ids: string[] }[];
  /** the unit's process environment, in systemd's order: `Environment=` then each `EnvironmentFile=`; which set the variable */
  processEnv: { where: string; sets: boolean }[];
  /** the unit starts through `rekey exec`, which sets the variable last */
  injectedByExec: boolean;
  /** <stateDir>/.env and openclaw.json env.vars */
  dotEnv: { path: string; sets: boolean };
  envVars: { path: string; sets: boolean };
  /** models.providers.<P>.apiKey in openclaw.json: absent, a plain string, or a SecretRef */
  configApiKey: { path: string; kind: 'none' | 'string' | 'secretref'; ref?: string };
  /** what could not be looked at (e.g. a JSON5 config, an openclaw CLI that failed) */
  notes?: string[];
}

/** An `openclaw secrets apply` plan (docs/gateway/secrets-plan-contract.md, protocol 1). */
export interface SecretsApplyPlan {
  version: 1;
  protocolVersion: 1;
  providerUpserts: Record<string, { source: 'file'; path: string; mode: 'json' }>;
  targets: {
    type: 'models.providers.apiKey';
    path: string;
    pathSegments: string[];
    providerId: string;
    ref: { source: 'file'; provider: string; id: string };
  }[];
}

export interface PairedDevice {
  deviceId: string;
  name?: string;
  roles: string[];
}

export interface OpenclawCli {
  /** every place a target's provider key could come from (read-only) */
  sources(t: Target, signal: AbortSignal): Promise<SourceObservation>;
  /** `openclaw secrets apply` of a plan for the deployment of a target (rekey openclaw adopt) */
  secretsApply(t: Target, plan: SecretsApplyPlan, opts: { dryRun: boolean; name: string; signal: AbortSignal }): Promise<{ planFile: string; changedFiles: string[]; resolvable: boolean; warnings: string[] }>;
  /** paired devices of the Gateway a server-role target reaches (their tokens are separate credentials) */
  devices(t: Target, signal: AbortSignal): Promise<{ paired: PairedDevice[]; pending: number }>;
  rotateDevice(t: Target, device: string, role: string, signal: AbortSignal): Promise<unknown>;
  /** `openclaw secrets reload` for a target whose SecretRef resolves through rekey (keychain sink with reload) */
  reloadSecrets(t: Target, signal: AbortSignal): Promise<void>;
}
