/**
 * What rekey knows about an adapter kind without importing it. Each adapter's schema file
 * (providers/<port>/<kind>.schema.ts) adds its config type to one of the `*Configs` maps below
 * (TypeScript declaration merging), and providers/registry.ts holds one descriptor per kind,
 * checked against these maps: a kind without a descriptor does not compile. The policy, the
 * planner and the use cases read adapters only through an `AdapterCatalog`; none names a kind.
 */

import type { BackendCapabilities } from './ports.js';

export type Layer = 'provider-key' | 'gateway-token';

/* eslint-disable @typescript-eslint/no-empty-object-type -- filled by declaration merging */
export interface BackendConfigs {}
export interface SinkConfigs {}
export interface ServiceConfigs {}
export interface VerifierConfigs {}
export interface IssuerConfigs {}
/* eslint-enable @typescript-eslint/no-empty-object-type */

export type BackendKind = keyof BackendConfigs & string;
export type SinkKind = keyof SinkConfigs & string;
export type ServiceKind = keyof ServiceConfigs & string;
export type VerifierKind = keyof VerifierConfigs & string;
export type BackendConfig = BackendConfigs[BackendKind];
export type SinkConfig = SinkConfigs[SinkKind];
export type ServiceConfig = ServiceConfigs[ServiceKind];
export type VerifierConfig = VerifierConfigs[VerifierKind];
export type IssuerKind = keyof IssuerConfigs & string;
export type IssuerConfig = IssuerConfigs[IssuerKind];

/**
 * How the consumer reads what a sink holds: `env-file` an EnvironmentFile= of its unit (at start);
 * `exec-env` the environment `rekey exec` builds from the sink (at start); `secretref` an OpenClaw
 * SecretRef OpenClaw resolves itself; `profile` an OpenClaw stored auth profile; `config` a field of
 * openclaw.json (the Gateway token).
 */
export type ConsumerRead = 'env-file' | 'exec-env' | 'secretref' | 'profile' | 'config';

/** Everything a delivery writes: names and paths only. */
export interface Touches {
  files: string[];
  keychainItems: string[];
  /** OpenClaw stored auth profiles, as <agent>/<profile id> */
  profiles: string[];
}

/**
 * Where a delivery lands, in the shadow detection's words (src/plan/shadow.ts). `where` absent:
 * the place is the config's apiKey, whose path only the observation knows.
 */
export interface DeliveredSource {
  kind: 'profile' | 'rekey-exec' | 'config-apikey' | 'process-env';
  where?: string;
}

/** fills {secret} {env} {agent} {provider}; `path` also expands ~ and makes the path canonical */
export interface Templater {
  text(s: string): string;
  path(p: string): string;
}

/** a refusal of the policy, relative to the delivery (`sink.kind`, `service`, …) */
export interface DeliveryRule {
  path: string;
  message: string;
  hint?: string;
}

/** The target fields a descriptor may read besides its own config. */
export interface TargetView {
  agent: string;
  envVar: string;
}

export interface SinkSpec<C extends { kind: string } = SinkConfig> {
  kind: C['kind'];
  /** the layers it can deliver; `wrongLayer` says why not the other */
  layers: readonly Layer[];
  wrongLayer?: string;
  reads(c: C): ConsumerRead;
  /** rekey itself reads the value out of it for its consumer (`rekey exec`, `rekey openclaw resolve`) */
  handsOut?: boolean;
  /** templates filled, paths canonical */
  resolve(c: C, tpl: Templater): C;
  /** the variable the consumer gets when the sink names it (default: the secret's envVar) */
  envKey?(c: C): string | undefined;
  touches(c: C, t: TargetView): Touches;
  /** shown in a plan: the file, field or item */
  describe(c: C): string;
  /** a delivery that reaches its consumer only at start needs a service to restart: why, or null */
  needsService?(c: C): DeliveryRule | null;
  source(c: C, t: TargetView): DeliveredSource | null;
  /** Gateway token: server or client (undefined: the verifier decides, else client) */
  tokenRole?(c: C): 'server' | 'client' | undefined;
  /** a file OpenClaw can read through a file SecretRef (`rekey openclaw adopt` points the config at it) */
  fileSecretRef?(c: C): { path: string; pointer: string; alias: string };
  /** places only one secret may own (a file#variable): two values there are refused */
  places?(c: C, envVar: string): string[];
}

export interface VerifierSpec<C extends { kind: string } = VerifierConfig> {
  kind: C['kind'];
  layers: readonly Layer[];
  wrongLayer?: string;
  /** the consumer reads it cannot confirm, each with the refusal */
  cannotVerify: Partial<Record<ConsumerRead, { message: string; hint: string }>>;
  resolve(c: C, tpl: Templater): C;
  tokenRole?(c: C): 'server' | 'client' | undefined;
  /** a delivery it does not verify at the consumer: why (shown in every plan) */
  unverified?(c: C): string;
}

export interface ServiceSpec<C extends { kind: string; unit: string } = ServiceConfig & { unit: string }> {
  kind: C['kind'];
  resolve(c: C, tpl: Templater): C;
}

export interface BackendSpec<C extends { kind: string } = BackendConfig> {
  kind: C['kind'];
  /** known before its adapter (and SDK) loads: the adapter reports the same object */
  capabilities: BackendCapabilities;
}

export interface IssuerSpec<C extends { kind: string } = IssuerConfig> {
  kind: C['kind'];
  layers: readonly Layer[];
  /** the OpenClaw provider ids whose keys it issues */
  providers: readonly string[];
}

/** The pure half of the registry: what the policy, the planner and the use cases may ask. */
export interface AdapterCatalog {
  sink(kind: string): SinkSpec<{ kind: string }>;
  verifier(kind: string): VerifierSpec<{ kind: string }>;
  service(kind: string): ServiceSpec<{ kind: string; unit: string }>;
  backend(kind: string): BackendSpec<{ kind: string }>;
  issuer(kind: string): IssuerSpec<{ kind: string }>;
}
