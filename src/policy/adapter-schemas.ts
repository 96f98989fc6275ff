/**
 * The adapter config schemas, composed into discriminated unions on `kind`. Adding an adapter:
 * export its schema from providers/<port>/<kind>.schema.ts and add it here.
 */
import { z } from 'zod';
import { localBackendConfig } from '../../providers/backends/local.schema.js';
import { awsSecretsManagerBackendConfig } from '../../providers/backends/aws-secrets-manager.schema.js';
import { vaultBackendConfig } from '../../providers/backends/vault.schema.js';
import { systemdEnvFileSinkConfig } from '../../providers/sinks/systemd-env-file.schema.js';
import { openclawSecretrefFileSinkConfig } from '../../providers/sinks/openclaw-secretref-file.schema.js';
import { keychainSinkConfig } from '../../providers/sinks/keychain.schema.js';
import { openclawConfigTokenSinkConfig } from '../../providers/sinks/openclaw-config-token.schema.js';
import { openclawGatewayProbeVerifierConfig } from '../../providers/verifiers/openclaw-gateway-probe.schema.js';
import { openclawAuthProfileSinkConfig } from '../../providers/sinks/openclaw-auth-profile.schema.js';
import { openclawSecretsAuditVerifierConfig } from '../../providers/verifiers/openclaw-secrets-audit.schema.js';
import { systemdUserServiceConfig } from '../../providers/services/systemd-user.schema.js';
import { launchdServiceConfig } from '../../providers/services/launchd.schema.js';
import { openclawModelsStatusVerifierConfig } from '../../providers/verifiers/openclaw-models-status.schema.js';
import { noneVerifierConfig } from '../../providers/verifiers/none.schema.js';

export const backendConfig = z.discriminatedUnion('kind', [localBackendConfig, awsSecretsManagerBackendConfig, vaultBackendConfig]);
export const sinkConfig = z.discriminatedUnion('kind', [systemdEnvFileSinkConfig, openclawSecretrefFileSinkConfig, keychainSinkConfig, openclawAuthProfileSinkConfig, openclawConfigTokenSinkConfig]);
export const serviceConfig = z.discriminatedUnion('kind', [systemdUserServiceConfig, launchdServiceConfig]);
export const verifierConfig = z.discriminatedUnion('kind', [openclawModelsStatusVerifierConfig, openclawSecretsAuditVerifierConfig, openclawGatewayProbeVerifierConfig, noneVerifierConfig]);

export type BackendConfig = z.infer<typeof backendConfig>;
export type SinkConfig = z.infer<typeof sinkConfig>;
export type ServiceConfig = z.infer<typeof serviceConfig>;
export type VerifierConfig = z.infer<typeof verifierConfig>;
