/**
 * A loopback AWS Secrets Manager for the real @aws-sdk/client-secrets-manager to talk to.
 *
 * Wire protocol (awsJson1_1, as the SDK sends it): POST /, `X-Amz-Target: secretsmanager.<Op>`,
 * `Content-Type: application/x-amz-json-1.1`, JSON bodies, timestamps as epoch seconds; errors
 * are HTTP 400 (500 for InternalServiceError) with `{"__type": "<Name>", "message": …}` and the
 * `x-amzn-ErrorType` header, which the SDK turns into its named exception classes. Requests must
 * carry a SigV4 `Authorization` header (checked for presence, not verified).
 *
 * Operations, with the semantics of the Secrets Manager API reference
 * (docs.aws.amazon.com/secretsmanager/latest/apireference: API_CreateSecret, API_DescribeSecret,
 * API_GetSecretValue, API_PutSecretValue, API_UpdateSecretVersionStage, API_ListSecretVersionIds)
 * and the quotas page (userguide/reference_limits):
 *  - CreateSecret (Name, optional SecretString: its first version gets AWSCURRENT; KmsKeyId, Tags)
 *  - DescribeSecret (VersionIdsToStages: versions that carry at least one label; RotationEnabled,
 *    DeletedDate, KmsKeyId, Tags). A secret scheduled for deletion answers every other operation
 *    with InvalidRequestException.
 *  - GetSecretValue (by VersionId or VersionStage, default AWSCURRENT)
 *  - PutSecretValue (ClientRequestToken = VersionId; same token + same data: no-op, different
 *    data: ResourceExistsException; VersionStages default [AWSCURRENT]; the first version of a
 *    secret always gets AWSCURRENT; every given label is moved off other versions; moving
 *    AWSCURRENT moves AWSPREVIOUS to the version it left)
 *  - UpdateSecretVersionStage (MoveToVersionId and/or RemoveFromVersionId; moving a label that
 *    another version holds needs RemoveFromVersionId = that version, else InvalidParameterException;
 *    moving AWSCURRENT moves AWSPREVIOUS)
 *  - TagResource (adds or replaces tags by Key; 50 at most)
 *  - DeleteSecret (API_DeleteSecret: RecoveryWindowInDays 7–30, default 30, schedules the
 *    deletion; ForceDeleteWithoutRecovery deletes at once, also a secret already scheduled; both
 *    together is InvalidParameterException; answers ARN, Name, DeletionDate)
 *  - ListSecretVersionIds (versions without labels are deprecated: listed only with
 *    IncludeDeprecated), paged: MaxResults (1–100; the fake's `pageSize` when absent) and NextToken
 *  - Version quota: when a secret has more than 100 versions, AWS removes unlabeled versions older
 *    than 24 hours; a PutSecretValue that would still leave more than `versionQuota` (100; AWS does
 *    not publish the exact number) is LimitExceededException. The fake's clock moves 1 s per
 *    version and by `advance(seconds)`.
 * Other writers: `writeCurrent` (an operator's put-secret-value: a new AWSCURRENT) and
 * `lambdaRotation` (an AWS rotation Lambda: createSecret stages AWSPENDING; finishSecret moves
 * AWSCURRENT to it and, as AWS documents as a normal end state, may leave AWSPENDING on it).
 * Fault injection: `throttle(n)`, `deny(op)`, `failWith(op, name)`, `kill()` (connections refused).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startLoopbackServer } from './loopback-server.js';

interface Version {
  id: string;
  value: string;
  stages: Set<string>;
  created: number;
}
interface Secret {
  name: string;
  arn: string;
  versions: Map<string, Version>;
  rotationEnabled: boolean;
  deletedDate?: number;
  kmsKeyId?: string;
  tags?: { Key: string; Value: string }[];
}

class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export interface FakeSecretsManager {
  endpoint: string;
  secrets: Map<string, Secret>;
  calls: string[];
  throttle(n: number): void;
  deny(op: string): void;
  allow(op: string): void;
  failWith(op: string, type: string, times?: number): void;
  /** labels of every version, for assertions: versionId → labels */
  labels(name: string): Record<string, string[]>;
  /** move the fake's clock (version ages for the quota) */
  advance(seconds: number): void;
  setRotationEnabled(name: string, on: boolean): void;
  scheduleDeletion(name: string): void;
  /** an operator's `put-secret-value` without stages: a new AWSCURRENT; returns its VersionId */
  writeCurrent(name: string, value: string): string;
  /** an AWS rotation Lambda: createSecret stages AWSPENDING; with `finish`, finishSecret moves AWSCURRENT to it and leaves AWSPENDING there */
  lambdaRotation(name: string, value: string, opts?: { finish?: boolean }): string;
  kill(): Promise<void>;
  /** listen again on the same port, with the same secrets (a restarted service) */
  revive(): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeSecretsManager(opts: { port?: number; pageSize?: number; versionQuota?: number } = {}): Promise<FakeSecretsManager> {
  const pageSize = opts.pageSize ?? 100;
  const versionQuota = opts.versionQuota ?? 100;
  const secrets = new Map<string, Secret>();
  const calls: string[] = [];
  let throttleLeft = 0;
  const denied = new Set<string>();
  const failures = new Map<string, { type: string; times: number }>();
  let clock = 1_790_000_000;

  const find = (id: string, op = ''): Secret => {
    const s = secrets.get(id) ?? [...secrets.values()].find((x) => x.arn === id);
    if (!s) throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    if (s.deletedDate !== undefined && op !== 'DescribeSecret' && op !== 'DeleteSecret') {
      throw new AwsError('InvalidRequestException', "You can't perform this operation on the secret because it was marked for deletion.");
    }
    return s;
  };
  /** AWS's clean-up, then the quota, before a new version is added */
  const makeRoom = (s: Secret) => {
    if (s.versions.size >= 100) {
      const old = [...s.versions.values()].filter((v) => v.stages.size === 0 && v.created < clock - 86_400).sort((a, b) => a.created - b.created);
      for (const v of old) {
        if (s.versions.size < 100) break;
        s.versions.delete(v.id);
      }
    }
    if (s.versions.size + 1 > versionQuota) throw new AwsError('LimitExceededException', 'You have exceeded the maximum number of versions for this secret.');
  };
  const holder = (s: Secret, label: string) => [...s.versions.values()].find((v) => v.stages.has(label));
  const moveLabel = (s: Secret, label: string, to: Version) => {
    const from = holder(s, label);
    if (from === to) return;
    from?.stages.delete(label);
    to.stages.add(label);
    if (label === 'AWSCURRENT' && from) {
      holder(s, 'AWSPREVIOUS')?.stages.delete('AWSPREVIOUS');
      from.stages.add('AWSPREVIOUS');
    }
  };
  const out = (s: Secret, v?: Version) => ({ ARN: s.arn, Name: s.name, ...(v ? { VersionId: v.id } : {}) });

  const ops: Record<string, (b: Record<string, any>) => unknown> = {
    CreateSecret(b) {
      if (secrets.has(b.Name)) throw new AwsError('ResourceExistsException', `The operation failed because the secret ${b.Name} already exists.`);
      const s: Secret = {
        name: b.Name,
        arn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${b.Name}-AbCdEf`,
        versions: new Map(),
        rotationEnabled: false,
        ...(b.KmsKeyId ? { kmsKeyId: b.KmsKeyId } : {}),
        ...(b.Tags ? { tags: b.Tags } : {}),
      };
      secrets.set(b.Name, s);
      if (typeof b.SecretString === 'string') {
        const v: Version = { id: b.ClientRequestToken ?? `v-${clock}`, value: b.SecretString, stages: new Set(['AWSCURRENT']), created: clock++ };
        s.versions.set(v.id, v);
        return out(s, v);
      }
      return out(s);
    },
    DeleteSecret(b) {
      if (b.ForceDeleteWithoutRecovery !== undefined && b.RecoveryWindowInDays !== undefined) {
        throw new AwsError('InvalidParameterException', "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
      }
      const days = b.RecoveryWindowInDays ?? 30;
      if (!Number.isInteger(days) || days < 7 || days > 30) throw new AwsError('InvalidParameterException', 'RecoveryWindowInDays must be between 7 and 30.');
      const s = find(b.SecretId, 'DeleteSecret');
      if (b.ForceDeleteWithoutRecovery === true) {
        secrets.delete(s.name);
        return { ...out(s), DeletionDate: clock };
      }
      if (s.deletedDate === undefined) s.deletedDate = clock;
      return { ...out(s), DeletionDate: s.deletedDate + days * 86_400 };
    },
    DescribeSecret(b) {
      const s = find(b.SecretId, 'DescribeSecret');
      const map: Record<string, string[]> = {};
      for (const v of s.versions.values()) if (v.stages.size) map[v.id] = [...v.stages];
      return {
        ...out(s),
        VersionIdsToStages: map,
        ...(s.rotationEnabled ? { RotationEnabled: true } : {}),
        ...(s.deletedDate !== undefined ? { DeletedDate: s.deletedDate } : {}),
        ...(s.kmsKeyId ? { KmsKeyId: s.kmsKeyId } : {}),
        ...(s.tags ? { Tags: s.tags } : {}),
      };
    },
    GetSecretValue(b) {
      const s = find(b.SecretId);
      const stage = b.VersionStage ?? (b.VersionId ? undefined : 'AWSCURRENT');
      const v = b.VersionId ? s.versions.get(b.VersionId) : holder(s, stage);
      if (!v || (stage && !v.stages.has(stage))) {
        throw new AwsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for ${b.VersionId ? `VersionId: ${b.VersionId}` : `staging label: ${stage}`}`);
      }
      return { ...out(s, v), SecretString: v.value, VersionStages: [...v.stages], CreatedDate: v.created };
    },
    PutSecretValue(b) {
      const s = find(b.SecretId);
      if (typeof b.ClientRequestToken !== 'string' || b.ClientRequestToken.length < 32 || b.ClientRequestToken.length > 64) {
        throw new AwsError('InvalidParameterException', 'ClientRequestToken must be 32 to 64 characters.');
      }
      const existing = s.versions.get(b.ClientRequestToken);
      if (existing) {
        if (existing.value !== b.SecretString) throw new AwsError('ResourceExistsException', 'You can\'t modify an existing version, you can only create a new version.');
        return { ...out(s, existing), VersionStages: [...existing.stages] };
      }
      const first = s.versions.size === 0;
      makeRoom(s);
      const v: Version = { id: b.ClientRequestToken, value: b.SecretString, stages: new Set(), created: clock++ };
      s.versions.set(v.id, v);
      const labels: string[] = b.VersionStages ?? ['AWSCURRENT'];
      if (first && !labels.includes('AWSCURRENT')) labels.push('AWSCURRENT');
      for (const l of labels) moveLabel(s, l, v);
      return { ...out(s, v), VersionStages: [...v.stages] };
    },
    UpdateSecretVersionStage(b) {
      const s = find(b.SecretId);
      const label: string = b.VersionStage;
      const cur = holder(s, label);
      if (b.MoveToVersionId) {
        const to = s.versions.get(b.MoveToVersionId);
        if (!to) throw new AwsError('ResourceNotFoundException', `Secrets Manager can't find the specified version ${b.MoveToVersionId}.`);
        if (cur && cur !== to && b.RemoveFromVersionId !== cur.id) {
          throw new AwsError('InvalidParameterException', `The staging label ${label} is currently attached to version ${cur.id}, so you must explicitly reference that version in RemoveFromVersionId.`);
        }
        moveLabel(s, label, to);
      } else if (b.RemoveFromVersionId) {
        const from = s.versions.get(b.RemoveFromVersionId);
        if (!from || !from.stages.has(label)) {
          throw new AwsError('InvalidParameterException', `The staging label ${label} is not attached to version ${b.RemoveFromVersionId}.`);
        }
        if (label === 'AWSCURRENT') throw new AwsError('InvalidParameterException', 'You can only move AWSCURRENT, not remove it.');
        from.stages.delete(label);
      }
      return out(s);
    },
    TagResource(b) {
      const s = find(b.SecretId);
      const tags = [...(s.tags ?? [])];
      for (const t of (b.Tags ?? []) as { Key: string; Value: string }[]) {
        const i = tags.findIndex((x) => x.Key === t.Key);
        if (i >= 0) tags[i] = t;
        else tags.push(t);
      }
      if (tags.length > 50) throw new AwsError('InvalidParameterException', 'A secret can have at most 50 tags.');
      s.tags = tags;
      return {};
    },
    ListSecretVersionIds(b) {
      const s = find(b.SecretId);
      if (b.MaxResults !== undefined && (!Number.isInteger(b.MaxResults) || b.MaxResults < 1 || b.MaxResults > 100)) {
        throw new AwsError('InvalidParameterException', 'MaxResults must be between 1 and 100.');
      }
      const size = Math.min(b.MaxResults ?? pageSize, pageSize);
      const start = b.NextToken ? Number(Buffer.from(String(b.NextToken), 'base64').toString('utf8')) : 0;
      if (!Number.isInteger(start) || start < 0) throw new AwsError('InvalidNextTokenException', 'The NextToken value is invalid.');
      const vs = [...s.versions.values()].filter((v) => b.IncludeDeprecated || v.stages.size > 0);
      const page = vs.slice(start, start + size);
      const more = start + size < vs.length;
      return {
        ...out(s),
        Versions: page.map((v) => ({ VersionId: v.id, VersionStages: [...v.stages], CreatedDate: v.created })),
        ...(more ? { NextToken: Buffer.from(String(start + size)).toString('base64') } : {}),
      };
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const op = target.replace(/^secretsmanager\./, '');
    const send = (status: number, body: unknown, type?: string) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'fake-request-id', ...(type ? { 'x-amzn-errortype': type } : {}) });
      res.end(JSON.stringify(body));
    };
    try {
      calls.push(op);
      if (req.method !== 'POST' || !target.startsWith('secretsmanager.') || !ops[op]) throw new AwsError('UnknownOperationException', `unknown operation ${target}`);
      if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) throw new AwsError('IncompleteSignatureException', 'missing SigV4 Authorization header');
      if (throttleLeft > 0) {
        throttleLeft--;
        throw new AwsError('ThrottlingException', 'Rate exceeded');
      }
      if (denied.has(op) || denied.has('*')) {
        throw new AwsError('AccessDeniedException', `User: arn:aws:iam::123456789012:user/rekey is not authorized to perform: secretsmanager:${op}`);
      }
      const f = failures.get(op);
      if (f && f.times > 0) {
        f.times--;
        throw new AwsError(f.type, 'injected failure', f.type === 'InternalServiceError' ? 500 : 400);
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      send(200, ops[op]!(body));
    } catch (e) {
      if (e instanceof AwsError) send(e.status, { __type: e.type, message: e.message }, e.type);
      else send(500, { __type: 'InternalServiceError', message: String(e) }, 'InternalServiceError');
    }
  }
  const server = await startLoopbackServer((req, res) => void handle(req, res), opts.port ?? 0);
  return {
    endpoint: server.url,
    secrets,
    calls,
    throttle: (n) => void (throttleLeft = n),
    deny: (op) => void denied.add(op),
    allow: (op) => void denied.delete(op),
    failWith: (op, type, times = 1) => void failures.set(op, { type, times }),
    advance: (sec) => void (clock += sec),
    setRotationEnabled(name, on) {
      secrets.get(name)!.rotationEnabled = on;
    },
    scheduleDeletion(name) {
      secrets.get(name)!.deletedDate = clock;
    },
    writeCurrent(name, value) {
      const s = secrets.get(name)!;
      const v: Version = { id: `operator-${clock}-0000-0000-0000-000000000000`, value, stages: new Set(), created: clock++ };
      s.versions.set(v.id, v);
      moveLabel(s, 'AWSCURRENT', v);
      return v.id;
    },
    lambdaRotation(name, value, o = {}) {
      const s = secrets.get(name)!;
      const v: Version = { id: `lambda-${clock}-0000-0000-0000-0000000000000`, value, stages: new Set(), created: clock++ };
      s.versions.set(v.id, v);
      moveLabel(s, 'AWSPENDING', v);
      if (o.finish) moveLabel(s, 'AWSCURRENT', v);
      return v.id;
    },
    labels(name) {
      const s = secrets.get(name);
      return Object.fromEntries([...(s?.versions.values() ?? [])].map((v) => [v.id, [...v.stages].sort()]));
    },
    kill: server.kill,
    revive: server.revive,
    close: server.close,
  };
}
