import { BackendError, UsageError, type RekeyError } from '../../src/core/errors.js';
import { SecretValue } from '../../src/core/secret-value.js';

const RETRYABLE = new Set(['ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'InternalServiceError', 'ServiceUnavailable', 'RequestTimeout', 'RequestTimeoutException', 'TimeoutError']);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET', 'ECONNABORTED']);
const TIMEOUTS = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
/** the SDK's own configuration failures: no region, no credentials (their messages carry no secret) */
const CONFIG = new Set(['CredentialsProviderError', 'TokenProviderError']);

/**
 * SDK error → RekeyError: the exception name, HTTP status, operation and secret name only. No
 * request ids, no credentials, no values. Throttling, 5xx, timeouts and socket errors are
 * retryable; a missing region or credentials is a configuration error (exit 2, the SDK's message,
 * never retried); any other client-side error is not retried either.
 */
export function sanitizeAwsError(e: unknown, op: string, secretId: string): RekeyError {
  if (e instanceof BackendError || e instanceof UsageError) return e;
  const err = e as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number }; cause?: { code?: string } };
  const name = err?.name ?? 'Error';
  const status = err?.$metadata?.httpStatusCode;
  const net = err?.code ?? err?.cause?.code;
  const said = String(err?.message ?? '').split('\n')[0]!.slice(0, 200);
  if (status === undefined && (CONFIG.has(name) || /^Region is missing/.test(said))) {
    return new UsageError('AWS_CONFIG', `AWS Secrets Manager ${op} on ${secretId}: ${said || name}`, {
      hint: 'set backends.<name>.region (or AWS_REGION) and credentials (AWS_PROFILE / backends.<name>.profile, the instance role, or AWS_ACCESS_KEY_ID…)',
      details: { op, secretId, awsError: name },
    });
  }
  if (name === 'AbortError') return new BackendError('ABORTED', `AWS Secrets Manager ${op} on ${secretId}: aborted`, { details: { op, secretId } });
  const network = status === undefined && ((net !== undefined && NETWORK.has(net)) || TIMEOUTS.has(name));
  if (status === undefined && !network) {
    return new BackendError('AWS_CLIENT_ERROR', `AWS Secrets Manager ${op} on ${secretId}: ${name}${said ? `: ${said}` : ''}`, { details: { op, secretId, awsError: name } });
  }
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
    ...(code === 'ACCESS_DENIED' ? { hint: `grant secretsmanager:${op} on this secret (see the IAM policy in docs/aws-secrets-manager.md)` } : {}),
    ...(name === 'LimitExceededException' ? { hint: 'a Secrets Manager quota: too many versions of this secret in 24 hours (see docs/aws-secrets-manager.md: each rotation creates one version)' } : {}),
  });
}

/**
 * A secret value that must be a JSON object (jsonKey set). JSON.parse's own message quotes the
 * start of its input, part of a credential: the error names the ref and the fingerprint only.
 */
export function parseJsonObject(raw: string, ref: string, jsonKey: string): Record<string, unknown> {
  let obj: unknown;
  try {
    obj = JSON.parse(raw);
  } catch {
    obj = undefined;
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new BackendError('NOT_JSON', `${ref} holds a value that is not a JSON object (${SecretValue.of(raw).fingerprint}) but jsonKey "${jsonKey}" is set`, {
      hint: 'store the secret as a JSON object, or remove jsonKey from the backend',
      details: { ref },
    });
  }
  return obj as Record<string, unknown>;
}
