import { z } from 'zod';
import type { BackendSpec } from '../../src/core/adapters.js';
import { requestTimeoutMs } from '../spec-helpers.js';

export const awsSecretsManagerBackendConfig = z
  .strictObject({
    kind: z.literal('aws-secrets-manager'),
    /** default: AWS_REGION / the profile's region */
    region: z.string().min(1).optional(),
    /** e.g. a VPC endpoint; default: the SDK's */
    endpoint: z.string().url().optional(),
    /** a profile from ~/.aws/config; default: the SDK's default credential chain */
    profile: z.string().min(1).optional(),
    /** the secret value is a JSON object and the credential is this field; default: a plain string */
    jsonKey: z.string().min(1).optional(),
    /** create a secret that does not exist yet (needs secretsmanager:CreateSecret) */
    createMissing: z.boolean().default(true),
    /** a customer-managed KMS key for secrets rekey creates (needed to share a secret across accounts); default: aws/secretsmanager */
    kmsKeyId: z.string().min(1).max(2048).optional(),
    /** tags on secrets rekey creates */
    tags: z.record(z.string().min(1).max(128), z.string().max(256)).optional(),
    /** a secret with AWS-native rotation (a Lambda) enabled is refused unless this is true */
    allowNativeRotation: z.boolean().default(false),
    requestTimeoutMs,
  })
  .describe('AWS Secrets Manager with staging labels (AWSPENDING → AWSCURRENT → AWSPREVIOUS); shared across hosts.');
export type AwsSecretsManagerBackendConfig = z.infer<typeof awsSecretsManagerBackendConfig>;

declare module '../../src/core/adapters.js' {
  interface BackendConfigs { 'aws-secrets-manager': AwsSecretsManagerBackendConfig }
}

export const awsSecretsManagerBackendSpec: BackendSpec<AwsSecretsManagerBackendConfig> = { kind: 'aws-secrets-manager', capabilities: { nativeStages: true, checkAndSet: false, scope: 'shared', firstVersionIsCurrent: true } };
