/**
 * One descriptor per adapter kind: its config schema, what it means to the planner (its spec, in
 * its `<kind>.schema.ts`) and how to build it. Adding a sink = its schema + spec file, its adapter,
 * and one line in `sinks` below; `satisfies` makes a kind without a line a compile error.
 */
import { z } from 'zod';
import type { AdapterCatalog, BackendConfigs, BackendSpec, IssuerConfigs, IssuerSpec, ServiceConfigs, ServiceSpec, SinkConfigs, SinkSpec, VerifierConfigs, VerifierSpec } from '../src/core/adapters.js';
import { UsageError } from '../src/core/errors.js';
import type { Clock, Exec, Issuer, KeyProbe, SecretBackend, ServiceManager, Sink, Verifier } from '../src/core/ports.js';
import type { Logger } from '../src/core/logger.js';
import type { SecretValue } from '../src/core/secret-value.js';
import type { Target } from '../src/core/target.js';
import { makePolicySchema } from '../src/policy/schema.js';
import { createPolicyLoader } from '../src/policy/load.js';
import { localBackendConfig, localBackendSpec } from './backends/local.schema.js';
import { awsSecretsManagerBackendConfig, awsSecretsManagerBackendSpec } from './backends/aws-secrets-manager.schema.js';
import { vaultBackendConfig, vaultBackendSpec } from './backends/vault.schema.js';
import { systemdEnvFileSinkConfig, systemdEnvFileSinkSpec } from './sinks/systemd-env-file.schema.js';
import { openclawSecretrefFileSinkConfig, openclawSecretrefFileSinkSpec } from './sinks/openclaw-secretref-file.schema.js';
import { keychainSinkConfig, keychainSinkSpec } from './sinks/keychain.schema.js';
import { openclawAuthProfileSinkConfig, openclawAuthProfileSinkSpec } from './sinks/openclaw-auth-profile.schema.js';
import { openclawConfigTokenSinkConfig, openclawConfigTokenSinkSpec } from './sinks/openclaw-config-token.schema.js';
import { systemdUserServiceConfig, systemdUserServiceSpec } from './services/systemd-user.schema.js';
import { launchdServiceConfig, launchdServiceSpec } from './services/launchd.schema.js';
import { openclawModelsStatusVerifierConfig, openclawModelsStatusVerifierSpec } from './verifiers/openclaw-models-status.schema.js';
import { openclawSecretsAuditVerifierConfig, openclawSecretsAuditVerifierSpec } from './verifiers/openclaw-secrets-audit.schema.js';
import { openclawGatewayProbeVerifierConfig, openclawGatewayProbeVerifierSpec } from './verifiers/openclaw-gateway-probe.schema.js';
import { noneVerifierConfig, noneVerifierSpec } from './verifiers/none.schema.js';
import { createLocalBackend } from './backends/local.js';
import { createSystemdEnvFileSink } from './sinks/systemd-env-file.js';
import { createOpenclawSecretrefFileSink } from './sinks/openclaw-secretref-file.js';
import { createKeychainSink } from './sinks/keychain.js';
import type { KeychainStore } from './sinks/keychain-store.js';
import { createOpenclawAuthProfileSink } from './sinks/openclaw-auth-profile.js';
import { createOpenclawConfigTokenSink } from './sinks/openclaw-config-token.js';
import { createSystemdUserService } from './services/systemd-user.js';
import { createLaunchdService } from './services/launchd.js';
import { createOpenclawModelsStatusVerifier, type ConsumerView } from './verifiers/openclaw-models-status.js';
import { createOpenclawSecretsAuditVerifier } from './verifiers/openclaw-secrets-audit.js';
import { createOpenclawGatewayProbeVerifier } from './verifiers/openclaw-gateway-probe.js';
import { createNoneVerifier } from './verifiers/none.js';
import type { OpenclawCli } from '../src/core/openclaw.js';
import { lazyBackend } from './backends/lazy-backend.js';
import { anthropicAdminIssuerConfig, anthropicAdminIssuerSpec } from './issuers/anthropic-admin.schema.js';
import { openaiAdminIssuerConfig, openaiAdminIssuerSpec } from './issuers/openai-admin.schema.js';
import { createAnthropicAdminIssuer } from './issuers/anthropic-admin.js';
import { createOpenaiAdminIssuer } from './issuers/openai-admin.js';
import { openrouterAdminIssuerConfig, openrouterAdminIssuerSpec } from './issuers/openrouter-admin.schema.js';
import { createOpenrouterAdminIssuer } from './issuers/openrouter-admin.js';
import { gatewayTokenIssuerConfig, gatewayTokenIssuerSpec } from './issuers/gateway-token.schema.js';
import { createGatewayTokenIssuer } from './issuers/gateway-token.js';

/** What the composition root (src/cli/deps.ts) hands every adapter it builds. */
export interface AdapterRuntime {
  exec: Exec;
  clock: Clock;
  log: Logger;
  /** rekey's own environment (VAULT_*, AWS_* are read from it) */
  env: NodeJS.ProcessEnv;
  /** what child processes get: PATH, HOME, LANG… never rekey's secrets */
  baseEnv: Record<string, string>;
  /** the user's home, for ~ */
  home: string;
  uid: number;
  /** the local store's default directory and key, and how a key file is loaded */
  store: { dir: string; keyFile: string; loadKey(file: string): Promise<Buffer> };
  keychain(): KeychainStore;
  openclaw: OpenclawCli;
  sink(kind: string): Sink;
  consumer(t: Target, signal: AbortSignal): Promise<ConsumerView>;
  probe: KeyProbe;
  alive(t: Target, proc: { pid: number; child: boolean }, aliveMs: number, signal: AbortSignal): Promise<string | null>;
  readFile(path: string): Promise<string | null>;
  /** sessions to end when the command ends (a Vault AppRole token is revoked) */
  onClose(fn: () => Promise<void>): void;
  expandHome(path: string): string;
  /** a credential rekey keeps for itself in one of its backends (an admin key): its current version */
  readSecret(ref: { backend: string; ref: string }, signal: AbortSignal): Promise<SecretValue>;
}

type Described<S, Schema> = S & { schema: Schema };
type BackendDescriptor<K extends keyof BackendConfigs> = Described<BackendSpec<BackendConfigs[K]>, z.ZodType<BackendConfigs[K]>> & { create(cfg: BackendConfigs[K], rt: AdapterRuntime, name: string): SecretBackend };
type SinkDescriptor<K extends keyof SinkConfigs> = Described<SinkSpec<SinkConfigs[K]>, z.ZodType<SinkConfigs[K]>> & { create(rt: AdapterRuntime): Sink };
type ServiceDescriptor<K extends keyof ServiceConfigs> = Described<ServiceSpec<ServiceConfigs[K]>, z.ZodType<ServiceConfigs[K]>> & { create(cfg: ServiceConfigs[K], rt: AdapterRuntime): ServiceManager };
type IssuerDescriptor<K extends keyof IssuerConfigs> = Described<IssuerSpec<IssuerConfigs[K]>, z.ZodType<IssuerConfigs[K]>> & { create(cfg: IssuerConfigs[K], rt: AdapterRuntime, signal: AbortSignal): Issuer };
type VerifierDescriptor<K extends keyof VerifierConfigs> = Described<VerifierSpec<VerifierConfigs[K]>, z.ZodType<VerifierConfigs[K]>> & { create(rt: AdapterRuntime): Verifier };

export const backends = {
  local: {
    ...localBackendSpec,
    schema: localBackendConfig,
    create: (cfg, rt) => {
      const dir = cfg.path ? rt.expandHome(cfg.path) : rt.store.dir;
      const keyFile = cfg.keyFile ? rt.expandHome(cfg.keyFile) : rt.store.keyFile;
      let key: Promise<Buffer> | undefined;
      return createLocalBackend({ dir, key: () => (key ??= rt.store.loadKey(keyFile)), now: () => rt.clock.now(), keyFile });
    },
  },
  'aws-secrets-manager': {
    ...awsSecretsManagerBackendSpec,
    schema: awsSecretsManagerBackendConfig,
    create: (cfg) =>
      lazyBackend('aws-secrets-manager', awsSecretsManagerBackendSpec.capabilities, async () => {
        const [{ SecretsManagerClient }, { createAwsSecretsManagerBackend }] = await Promise.all([import('@aws-sdk/client-secrets-manager'), import('./backends/aws-secrets-manager.js')]);
        const client = new SecretsManagerClient({
          ...(cfg.region ? { region: cfg.region } : {}),
          ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}),
          ...(cfg.profile ? { profile: cfg.profile } : {}),
          // one retry layer: rekey's (src/rotation/retry.ts)
          maxAttempts: 1,
          requestHandler: { requestTimeout: cfg.requestTimeoutMs, connectionTimeout: Math.min(cfg.requestTimeoutMs, 5_000) },
        });
        return createAwsSecretsManagerBackend(cfg, client);
      }),
  },
  vault: {
    ...vaultBackendSpec,
    schema: vaultBackendConfig,
    create: (cfg, rt, name) =>
      lazyBackend('vault', vaultBackendSpec.capabilities, async () => {
        const [{ createVaultBackend }, { createVaultClient }] = await Promise.all([import('./backends/vault.js'), import('./backends/vault-client.js')]);
        let client: ReturnType<typeof createVaultClient> | undefined;
        // a failed login or mount check is not cached: the retry layer tries again
        const connect = () =>
          (client ??= createVaultClient(cfg, rt.env, { warn: (msg) => rt.log.warn({ backend: name }, msg) }).catch((e: unknown) => {
            client = undefined;
            throw e;
          }));
        rt.onClose(async () => (await client?.catch(() => null))?.close());
        return createVaultBackend(cfg, { client: connect });
      }),
  },
} satisfies { [K in keyof BackendConfigs]: BackendDescriptor<K> };

export const sinks = {
  'systemd-env-file': { ...systemdEnvFileSinkSpec, schema: systemdEnvFileSinkConfig, create: () => createSystemdEnvFileSink() },
  'openclaw-secretref-file': { ...openclawSecretrefFileSinkSpec, schema: openclawSecretrefFileSinkConfig, create: (rt) => createOpenclawSecretrefFileSink(rt) },
  keychain: {
    ...keychainSinkSpec,
    schema: keychainSinkConfig,
    create: (rt) => createKeychainSink(rt.keychain(), (t, signal) => rt.openclaw.reloadSecrets(t, signal)),
  },
  'openclaw-auth-profile': { ...openclawAuthProfileSinkSpec, schema: openclawAuthProfileSinkConfig, create: (rt) => createOpenclawAuthProfileSink(rt) },
  'openclaw-config-token': { ...openclawConfigTokenSinkSpec, schema: openclawConfigTokenSinkConfig, create: (rt) => createOpenclawConfigTokenSink(rt) },
} satisfies { [K in keyof SinkConfigs]: SinkDescriptor<K> };

export const services = {
  'systemd-user': { ...systemdUserServiceSpec, schema: systemdUserServiceConfig, create: (_cfg, rt) => createSystemdUserService({ exec: rt.exec, clock: rt.clock, env: rt.baseEnv }) },
  launchd: {
    ...launchdServiceSpec,
    schema: launchdServiceConfig,
    create: (cfg, rt) =>
      createLaunchdService({
        exec: rt.exec,
        clock: rt.clock,
        uid: rt.uid,
        home: rt.home,
        domain: () => cfg.domain,
        plistPath: (label) => rt.expandHome(cfg.plist ?? `~/Library/LaunchAgents/${label}.plist`),
        readFile: rt.readFile,
      }),
  },
} satisfies { [K in keyof ServiceConfigs]: ServiceDescriptor<K> };

export const verifiers = {
  'openclaw-models-status': {
    ...openclawModelsStatusVerifierSpec,
    schema: openclawModelsStatusVerifierConfig,
    create: (rt) => createOpenclawModelsStatusVerifier({ exec: rt.exec, adapters: catalog, baseEnv: rt.baseEnv, consumer: rt.consumer, probe: rt.probe, alive: rt.alive }),
  },
  'openclaw-secrets-audit': {
    ...openclawSecretsAuditVerifierSpec,
    schema: openclawSecretsAuditVerifierConfig,
    create: (rt) => createOpenclawSecretsAuditVerifier({ exec: rt.exec, baseEnv: rt.baseEnv, sink: rt.sink, probe: rt.probe }),
  },
  'openclaw-gateway-probe': {
    ...openclawGatewayProbeVerifierSpec,
    schema: openclawGatewayProbeVerifierConfig,
    create: (rt) =>
      createOpenclawGatewayProbeVerifier({ exec: rt.exec, clock: rt.clock, baseEnv: rt.baseEnv, home: rt.home, sink: rt.sink, serviceEnv: async (t, signal) => (await rt.consumer(t, signal)).vars as Record<string, SecretValue> }),
  },
  none: { ...noneVerifierSpec, schema: noneVerifierConfig, create: (rt) => createNoneVerifier(rt.sink) },
} satisfies { [K in keyof VerifierConfigs]: VerifierDescriptor<K> };

/** the admin key is read when the issuer first needs it, once per command */
const adminKeyOf = (rt: AdapterRuntime, ref: { backend: string; ref: string }, signal: AbortSignal) => {
  let k: Promise<SecretValue> | undefined;
  return () => (k ??= rt.readSecret(ref, signal));
};

export const issuers = {
  'anthropic-admin': { ...anthropicAdminIssuerSpec, schema: anthropicAdminIssuerConfig, create: (cfg, rt, signal) => createAnthropicAdminIssuer(cfg, adminKeyOf(rt, cfg.adminKey, signal)) },
  'openai-admin': { ...openaiAdminIssuerSpec, schema: openaiAdminIssuerConfig, create: (cfg, rt, signal) => createOpenaiAdminIssuer(cfg, adminKeyOf(rt, cfg.adminKey, signal)) },
  'openrouter-admin': { ...openrouterAdminIssuerSpec, schema: openrouterAdminIssuerConfig, create: (cfg, rt, signal) => createOpenrouterAdminIssuer(cfg, adminKeyOf(rt, cfg.adminKey, signal), () => rt.clock.now()) },
  'gateway-token': { ...gatewayTokenIssuerSpec, schema: gatewayTokenIssuerConfig, create: (cfg) => createGatewayTokenIssuer(cfg) },
} satisfies { [K in keyof IssuerConfigs]: IssuerDescriptor<K> };

function lookup<T>(table: Record<string, T>, port: string, code: string): (kind: string) => T {
  return (kind) => {
    const d = Object.hasOwn(table, kind) ? table[kind] : undefined;
    if (!d) throw new UsageError(code, `no ${port} of kind "${kind}"`, { hint: `kinds: ${Object.keys(table).join(', ')}` });
    return d;
  };
}

/** Typed lookups by a kind read from a policy or a journal. */
export const registry = {
  backend: lookup<BackendDescriptor<keyof BackendConfigs>>(backends as never, 'backend', 'UNKNOWN_BACKEND_KIND'),
  sink: lookup<SinkDescriptor<keyof SinkConfigs>>(sinks as never, 'sink', 'UNKNOWN_SINK_KIND'),
  service: lookup<ServiceDescriptor<keyof ServiceConfigs>>(services as never, 'service manager', 'UNKNOWN_SERVICE_KIND'),
  verifier: lookup<VerifierDescriptor<keyof VerifierConfigs>>(verifiers as never, 'verifier', 'UNKNOWN_VERIFIER_KIND'),
  issuer: lookup<IssuerDescriptor<keyof IssuerConfigs>>(issuers as never, 'issuer', 'UNKNOWN_ISSUER_KIND'),
};

/** The pure half, for the policy, the planner and the use cases. */
export const catalog: AdapterCatalog = registry;

const union = <T extends Record<string, { schema: z.ZodType }>>(t: T) => z.discriminatedUnion('kind', Object.values(t).map((d) => d.schema) as never);

/** The policy schema: the adapters' config schemas composed into unions on `kind`. */
export const policySchema = makePolicySchema({
  backend: union(backends) as z.ZodType<BackendConfigs[keyof BackendConfigs]>,
  sink: union(sinks) as z.ZodType<SinkConfigs[keyof SinkConfigs]>,
  service: union(services) as z.ZodType<ServiceConfigs[keyof ServiceConfigs]>,
  verifier: union(verifiers) as z.ZodType<VerifierConfigs[keyof VerifierConfigs]>,
  issuer: union(issuers) as z.ZodType<IssuerConfigs[keyof IssuerConfigs]>,
});

export const { parsePolicy } = createPolicyLoader(policySchema, catalog);
