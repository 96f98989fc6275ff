/**
 * The OpenClaw CLI as one port: what rekey asks an OpenClaw deployment besides delivering to it
 * (sinks) and verifying it (verifiers). One adapter: providers/openclaw/index.ts.
 */
import type { SecretValue } from './secret-value.js';
import type { Target } from './target.js';

/** An OpenClaw CLI and the deployment it reads: argv prefix, state dir, config path. */
export interface OpenclawInstall {
  command: string[];
  stateDir?: string | undefined;
  configPath?: string | undefined;
}

/** `openclaw gateway health --json`: answered, refused (token mismatch, close 1008), or not reached */
export type GatewayAnswer = { state: 'ok' } | { state: 'refused' | 'unreachable'; why: string };

/** a stored profile OpenClaw will not use for now (a 401 put it in cooldown; a billing error disabled it) */
export interface UnusableProfile {
  profileId: string;
  kind: string;
  reason: string;
  remainingMs?: number;
}

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
  /** the operator scopes it was approved for (empty for a node) */
  scopes?: string[];
}

export interface OpenclawCli {
  /** every place a target's provider key could come from (read-only) */
  sources(t: Target, signal: AbortSignal): Promise<SourceObservation>;
  /** `openclaw secrets apply` of a plan for the deployment of a target (rekey openclaw adopt) */
  secretsApply(t: Target, plan: SecretsApplyPlan, opts: { dryRun: boolean; name: string; signal: AbortSignal }): Promise<{ planFile: string; changedFiles: string[]; resolvable: boolean; warnings: string[] }>;
  /** paired devices of the Gateway a server-role target reaches (their tokens are separate credentials) */
  devices(t: Target, signal: AbortSignal): Promise<{ paired: PairedDevice[]; pending: number }>;
  rotateDevice(t: Target, device: string, role: string, signal: AbortSignal): Promise<unknown>;
  /** `openclaw devices revoke --device D --role R`: that role's token stops working */
  revokeDevice(t: Target, device: string, role: string, signal: AbortSignal): Promise<void>;
  /** `openclaw devices remove D`: the pairing itself is gone (the device must pair again) */
  removeDevice(t: Target, device: string, signal: AbortSignal): Promise<void>;
  /** `openclaw secrets reload` for a target whose SecretRef resolves through rekey (keychain sink with reload) */
  reloadSecrets(t: Target, signal: AbortSignal): Promise<void>;
  /** `openclaw gateway health --json --port P` as the deployment's own CLI sees it (its config's token), with `env` added (a unit's environment) */
  gatewayStatus(o: OpenclawInstall, env: Record<string, SecretValue>, port: number | undefined, signal: AbortSignal): Promise<GatewayAnswer>;
  /** `<command> --version`, first line; null if it does not run */
  version(command: string[], signal: AbortSignal): Promise<string | null>;
  /** stored profiles of a target's provider OpenClaw will not use now (`models status --json`: auth.unusableProfiles) */
  unusableProfiles(t: Target, signal: AbortSignal): Promise<UnusableProfile[]>;
  /** `gateway.auth.token` in the deployment's openclaw.json: absent, a plain value, or a SecretRef */
  configToken(o: OpenclawInstall, signal: AbortSignal): Promise<{ kind: 'none' } | { kind: 'string'; value: SecretValue } | { kind: 'secretref' }>;
}
