import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { BackendError } from '../../src/core/errors.js';
import type { SecretBackend, Stage, VersionInfo } from '../../src/core/ports.js';
import { SecretValue } from '../../src/core/secret-value.js';
import type { AwsSecretsManagerBackendConfig } from './aws-secrets-manager.schema.js';

/** The narrow slice of SecretsManagerClient rekey uses, so a test can pass the real client pointed anywhere. */
export interface SecretsManagerLike {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<any>;
}

const LABEL: Record<Stage, string> = { current: 'AWSCURRENT', pending: 'AWSPENDING', previous: 'AWSPREVIOUS' };
const STAGE: Record<string, Stage> = { AWSCURRENT: 'current', AWSPENDING: 'pending', AWSPREVIOUS: 'previous' };

const RETRYABLE = new Set(['ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'InternalServiceError', 'ServiceUnavailable', 'RequestTimeout', 'TimeoutError']);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET']);

/**
 * SDK error → BackendError: the exception name, HTTP status, operation and secret name only.
 * No request ids, no credentials, no values; throttling, 5xx and network errors are retryable.
 */
export function sanitizeAwsError(e: unknown, op: string, secretId: string): BackendError {
  const err = e as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; cause?: { code?: string } };
  const name = err?.name ?? 'Error';
  const status = err?.$metadata?.httpStatusCode;
  const net = err?.code ?? err?.cause?.code;
  const network = (net !== undefined && NETWORK.has(net)) || (status === undefined && name !== 'AbortError');
  const retryable = RETRYABLE.has(name) || (status !== undefined && status >= 500) || network;
  const code =
    name === 'AccessDeniedException'
      ? 'ACCESS_DENIED'
      : name === 'ResourceNotFoundException'
        ? 'NOT_FOUND'
        : name === 'ThrottlingException'
          ? 'THROTTLED'
          : network
            ? 'UNREACHABLE'
            : `AWS_${name.replace(/Exception$/, '').replace(/[^A-Za-z0-9]/g, '').toUpperCase()}`;
  const what = network ? `unreachable (${net ?? name})` : `${name}${status ? ` (HTTP ${status})` : ''}`;
  return new BackendError(code, `AWS Secrets Manager ${op} on ${secretId}: ${what}`, {
    retryable,
    details: { op, secretId, awsError: name, ...(status ? { httpStatus: status } : {}) },
    ...(code === 'ACCESS_DENIED' ? { hint: `grant secretsmanager:${op} on this secret (see the README's IAM policy)` } : {}),
  });
}

/**
 * AWS Secrets Manager: the AWS rotation contract. `stage` = PutSecretValue with
 * ClientRequestToken = rotation id and VersionStages [AWSPENDING] (never without: that would make
 * it AWSCURRENT at once); `promote` = move AWSCURRENT to it (AWS moves AWSPREVIOUS) and remove
 * AWSPENDING; `discard` = remove AWSPENDING. Every step idempotent on the rotation id. Staging
 * labels are the cross-host coordination: a promote whose version lost AWSPENDING to another
 * rotation is refused.
 */
export function createAwsSecretsManagerBackend(cfg: Pick<AwsSecretsManagerBackendConfig, 'jsonKey' | 'createMissing'>, client: SecretsManagerLike): SecretBackend {
  const call = async <T>(op: string, secretId: string, command: unknown, signal: AbortSignal): Promise<T> => {
    try {
      return (await client.send(command, { abortSignal: signal })) as T;
    } catch (e) {
      throw sanitizeAwsError(e, op, secretId);
    }
  };
  const describe = async (ref: string, signal: AbortSignal): Promise<Record<string, string[]> | null> => {
    try {
      const r = await call<{ VersionIdsToStages?: Record<string, string[]> }>('DescribeSecret', ref, new DescribeSecretCommand({ SecretId: ref }), signal);
      return r.VersionIdsToStages ?? {};
    } catch (e) {
      if (e instanceof BackendError && e.code === 'NOT_FOUND') return null;
      throw e;
    }
  };
  const decode = (raw: string, ref: string): string => {
    if (!cfg.jsonKey) return raw;
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch {
      throw new BackendError('NOT_JSON', `${ref} is not a JSON object but jsonKey "${cfg.jsonKey}" is set`);
    }
    const v = (obj as Record<string, unknown>)?.[cfg.jsonKey];
    if (typeof v !== 'string') throw new BackendError('JSON_KEY_MISSING', `${ref} has no string field "${cfg.jsonKey}"`);
    return v;
  };
  const readRaw = async (ref: string, stage: Stage, signal: AbortSignal) => {
    try {
      return await call<{ SecretString?: string; VersionId: string }>('GetSecretValue', ref, new GetSecretValueCommand({ SecretId: ref, VersionStage: LABEL[stage] }), signal);
    } catch (e) {
      if (e instanceof BackendError && e.code === 'NOT_FOUND') return null;
      throw e;
    }
  };
  const updateStage = (ref: string, input: { VersionStage: string; MoveToVersionId?: string; RemoveFromVersionId?: string }, signal: AbortSignal) =>
    call('UpdateSecretVersionStage', ref, new UpdateSecretVersionStageCommand({ SecretId: ref, ...input }), signal);

  return {
    kind: 'aws-secrets-manager',
    capabilities: () => ({ nativeStages: true, checkAndSet: false, scope: 'shared' as const, firstVersionIsCurrent: true }),

    async read(ref, stage, signal) {
      const r = await readRaw(ref, stage, signal);
      if (!r || r.SecretString === undefined) return null;
      return { value: SecretValue.of(decode(r.SecretString, ref)), versionId: r.VersionId, rotationId: r.VersionId };
    },

    async stage(ref, value, rotationId, signal) {
      let map = await describe(ref, signal);
      if (map === null) {
        if (!cfg.createMissing) throw new BackendError('NOT_FOUND', `AWS Secrets Manager secret ${ref} does not exist (createMissing is false)`);
        await call('CreateSecret', ref, new CreateSecretCommand({ Name: ref, Description: 'managed by rekey' }), signal);
        map = {};
      }
      const mine = map[rotationId];
      if (mine && (mine.includes('AWSPENDING') || mine.includes('AWSCURRENT'))) return { versionId: rotationId };
      let secretString = value.reveal();
      if (cfg.jsonKey) {
        const cur = await readRaw(ref, 'current', signal);
        const base = cur?.SecretString ? (JSON.parse(cur.SecretString) as Record<string, unknown>) : {};
        secretString = JSON.stringify({ ...base, [cfg.jsonKey]: value.reveal() });
      }
      await call('PutSecretValue', ref, new PutSecretValueCommand({ SecretId: ref, ClientRequestToken: rotationId, SecretString: secretString, VersionStages: ['AWSPENDING'] }), signal);
      if (mine) {
        // the version existed without labels (deprecated): PutSecretValue was a no-op, attach AWSPENDING
        const holder = Object.entries(map).find(([, l]) => l.includes('AWSPENDING'))?.[0];
        await updateStage(ref, { VersionStage: 'AWSPENDING', MoveToVersionId: rotationId, ...(holder ? { RemoveFromVersionId: holder } : {}) }, signal);
      }
      return { versionId: rotationId };
    },

    async promote(ref, rotationId, signal) {
      const map = (await describe(ref, signal)) ?? {};
      const mine = map[rotationId];
      if (!mine) throw new BackendError('NOT_STAGED', `rotation ${rotationId} has no version of ${ref} to promote`);
      if (!mine.includes('AWSCURRENT')) {
        if (!mine.includes('AWSPENDING')) {
          throw new BackendError('PENDING_TAKEN', `the version of rotation ${rotationId} no longer carries AWSPENDING on ${ref}: another rotation staged over it`);
        }
        const cur = Object.entries(map).find(([, l]) => l.includes('AWSCURRENT'))?.[0];
        await updateStage(ref, { VersionStage: 'AWSCURRENT', MoveToVersionId: rotationId, ...(cur ? { RemoveFromVersionId: cur } : {}) }, signal);
      }
      if (mine.includes('AWSPENDING')) await updateStage(ref, { VersionStage: 'AWSPENDING', RemoveFromVersionId: rotationId }, signal);
    },

    async discard(ref, rotationId, signal) {
      const map = await describe(ref, signal);
      if (map?.[rotationId]?.includes('AWSPENDING')) await updateStage(ref, { VersionStage: 'AWSPENDING', RemoveFromVersionId: rotationId }, signal);
    },

    async versions(ref, signal) {
      try {
        const r = await call<{ Versions?: { VersionId: string; VersionStages?: string[]; CreatedDate?: Date }[] }>(
          'ListSecretVersionIds',
          ref,
          new ListSecretVersionIdsCommand({ SecretId: ref, IncludeDeprecated: false }),
          signal,
        );
        return (r.Versions ?? []).map(
          (v): VersionInfo => ({
            versionId: v.VersionId,
            rotationId: v.VersionId,
            stages: (v.VersionStages ?? []).map((l) => STAGE[l]).filter((s): s is Stage => s !== undefined),
            ...(v.CreatedDate ? { createdAt: v.CreatedDate.toISOString() } : {}),
          }),
        );
      } catch (e) {
        if (e instanceof BackendError && e.code === 'NOT_FOUND') return [];
        throw e;
      }
    },
  };
}
