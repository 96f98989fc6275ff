/**
 * A loopback AWS Secrets Manager for the real @aws-sdk/client-secrets-manager to talk to.
 *
 * Wire protocol (awsJson1_1, as the SDK sends it): POST /, `X-Amz-Target: secretsmanager.<Op>`,
 * `Content-Type: application/x-amz-json-1.1`, JSON bodies, timestamps as epoch seconds; errors
 * are HTTP 400 (500 for InternalServiceError) with `{"__type": "<Name>", "message": …}` and the
 * `x-amzn-ErrorType` header, which the SDK turns into its named exception classes. Requests must
 * carry a SigV4 `Authorization` header (checked for presence, not verified).
 *
 * Operations, with the semantics of the Secrets Manager API reference:
 *  - CreateSecret (Name, optional SecretString: its first version gets AWSCURRENT)
 *  - DescribeSecret (VersionIdsToStages: versions that carry at least one label)
 *  - GetSecretValue (by VersionId or VersionStage, default AWSCURRENT)
 *  - PutSecretValue (ClientRequestToken = VersionId; same token + same data: no-op, different
 *    data: ResourceExistsException; VersionStages default [AWSCURRENT]; the first version of a
 *    secret always gets AWSCURRENT; every given label is moved off other versions; moving
 *    AWSCURRENT moves AWSPREVIOUS to the version it left)
 *  - UpdateSecretVersionStage (MoveToVersionId and/or RemoveFromVersionId; moving a label that
 *    another version holds needs RemoveFromVersionId = that version, else InvalidParameterException;
 *    moving AWSCURRENT moves AWSPREVIOUS)
 *  - ListSecretVersionIds (versions without labels are deprecated: listed only with IncludeDeprecated)
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
  kill(): Promise<void>;
  /** listen again on the same port, with the same secrets (a restarted service) */
  revive(): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeSecretsManager(opts: { port?: number } = {}): Promise<FakeSecretsManager> {
  const secrets = new Map<string, Secret>();
  const calls: string[] = [];
  let throttleLeft = 0;
  const denied = new Set<string>();
  const failures = new Map<string, { type: string; times: number }>();
  let clock = 1_790_000_000;

  const find = (id: string): Secret => {
    const s = secrets.get(id) ?? [...secrets.values()].find((x) => x.arn === id);
    if (!s) throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return s;
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
      const s: Secret = { name: b.Name, arn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${b.Name}-AbCdEf`, versions: new Map() };
      secrets.set(b.Name, s);
      if (typeof b.SecretString === 'string') {
        const v: Version = { id: b.ClientRequestToken ?? `v-${clock}`, value: b.SecretString, stages: new Set(['AWSCURRENT']), created: clock++ };
        s.versions.set(v.id, v);
        return out(s, v);
      }
      return out(s);
    },
    DescribeSecret(b) {
      const s = find(b.SecretId);
      const map: Record<string, string[]> = {};
      for (const v of s.versions.values()) if (v.stages.size) map[v.id] = [...v.stages];
      return { ...out(s), VersionIdsToStages: map };
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
    ListSecretVersionIds(b) {
      const s = find(b.SecretId);
      const vs = [...s.versions.values()].filter((v) => b.IncludeDeprecated || v.stages.size > 0);
      return { ...out(s), Versions: vs.map((v) => ({ VersionId: v.id, VersionStages: [...v.stages], CreatedDate: v.created })) };
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
    labels(name) {
      const s = secrets.get(name);
      return Object.fromEntries([...(s?.versions.values() ?? [])].map((v) => [v.id, [...v.stages].sort()]));
    },
    kill: server.kill,
    revive: server.revive,
    close: server.close,
  };
}
