import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  TagResourceCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { BackendError, UnsafeError } from '../../src/core/errors.js';
import type { AuditAnchor, SecretBackend, Stage, VersionInfo } from '../../src/core/ports.js';
import { SecretValue } from '../../src/core/secret-value.js';
import { awsStandby } from './aws-standby.js';
import { holder, isRekeys, LABEL, parseReceipt, receipt, rotationOf, STAGE, strayPending, tokenFor, type Labels } from './aws-versions.js';
import { parseJsonObject, sanitizeAwsError } from './aws-errors.js';
import { awsSecretsManagerBackendSpec, type AwsSecretsManagerBackendConfig } from './aws-secrets-manager.schema.js';

export { sanitizeAwsError } from './aws-errors.js';
export { rotationOf, tokenFor } from './aws-versions.js';

/** The narrow slice of SecretsManagerClient rekey uses, so a test can pass the real client pointed anywhere. */
export interface SecretsManagerLike {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<any>;
}

/** the tag that carries the audit chain's head */
const ANCHOR_TAG = 'rekey-audit-head';

/**
 * AWS Secrets Manager: the AWS rotation contract. `stage` = PutSecretValue with a fresh token and
 * VersionStages [AWSPENDING] (never without: that would make it AWSCURRENT at once), or, when the
 * pending version already holds the value (`rekey put` made it; a taken-over rotation), that
 * version is claimed and nothing is written: one version per put + rotate. Its receipt names the
 * version and the AWSCURRENT version it was staged over; `promote` refuses (CURRENT_MOVED) if
 * AWSCURRENT moved since (another writer: an operator, a Lambda), else moves AWSCURRENT (AWS moves
 * AWSPREVIOUS) and removes AWSPENDING; `discard` removes AWSPENDING. Every step idempotent.
 */
export function createAwsSecretsManagerBackend(
  cfg: Pick<AwsSecretsManagerBackendConfig, 'jsonKey' | 'createMissing'> & Partial<Pick<AwsSecretsManagerBackendConfig, 'kmsKeyId' | 'tags' | 'allowNativeRotation'>>,
  client: SecretsManagerLike,
): SecretBackend {
  const call = async <T>(op: string, secretId: string, command: unknown, signal: AbortSignal): Promise<T> => {
    try {
      return (await client.send(command, { abortSignal: signal })) as T;
    } catch (e) {
      throw sanitizeAwsError(e, op, secretId);
    }
  };
  const describe = async (ref: string, signal: AbortSignal) => {
    try {
      return await call<{ VersionIdsToStages?: Labels; RotationEnabled?: boolean; DeletedDate?: Date; Tags?: { Key?: string; Value?: string }[] }>('DescribeSecret', ref, new DescribeSecretCommand({ SecretId: ref }), signal);
    } catch (e) {
      if (e instanceof BackendError && e.code === 'NOT_FOUND') return null;
      throw e;
    }
  };
  const labels = async (ref: string, signal: AbortSignal): Promise<Labels | null> => {
    const d = await describe(ref, signal);
    return d ? (d.VersionIdsToStages ?? {}) : null;
  };
  /** every version, paged (NextToken) */
  const listVersions = async (ref: string, includeDeprecated: boolean, signal: AbortSignal) => {
    const out: { VersionId: string; VersionStages?: string[]; CreatedDate?: Date }[] = [];
    let token: string | undefined;
    do {
      const r = await call<{ Versions?: typeof out; NextToken?: string }>(
        'ListSecretVersionIds',
        ref,
        new ListSecretVersionIdsCommand({ SecretId: ref, IncludeDeprecated: includeDeprecated, MaxResults: 100, ...(token ? { NextToken: token } : {}) }),
        signal,
      );
      out.push(...(r.Versions ?? []));
      token = r.NextToken;
    } while (token);
    return out;
  };
  const decode = (raw: string, ref: string): string => {
    if (!cfg.jsonKey) return raw;
    const v = parseJsonObject(raw, ref, cfg.jsonKey)[cfg.jsonKey];
    if (typeof v !== 'string') throw new BackendError('JSON_KEY_MISSING', `${ref} has no string field "${cfg.jsonKey}"`);
    return v;
  };
  const get = async (ref: string, by: { VersionStage: string } | { VersionId: string }, signal: AbortSignal) => {
    try {
      return await call<{ SecretString?: string; VersionId: string; VersionStages?: string[] }>('GetSecretValue', ref, new GetSecretValueCommand({ SecretId: ref, ...by }), signal);
    } catch (e) {
      if (e instanceof BackendError && e.code === 'NOT_FOUND') return null;
      throw e;
    }
  };
  const valueOf = async (ref: string, versionId: string, signal: AbortSignal) => {
    const r = await get(ref, { VersionId: versionId }, signal);
    return r?.SecretString === undefined ? null : decode(r.SecretString, ref);
  };
  const updateStage = (ref: string, input: { VersionStage: string; MoveToVersionId?: string; RemoveFromVersionId?: string }, signal: AbortSignal) =>
    call('UpdateSecretVersionStage', ref, new UpdateSecretVersionStageCommand({ SecretId: ref, ...input }), signal);
  /** this rotation's version among `map`, when no receipt says which (a contract caller, adopt) */
  const mineIn = (map: Labels, rotationId: string) => {
    const ids = Object.keys(map).filter((id) => rotationOf(id) === rotationId);
    return ids.find((id) => map[id]!.includes('AWSCURRENT')) ?? ids.find((id) => map[id]!.includes('AWSPENDING')) ?? null;
  };
  /** what PutSecretValue stores for `value`: with jsonKey, the current object with that field replaced */
  const secretString = async (ref: string, value: SecretValue, base: string | null, signal: AbortSignal) => {
    if (!cfg.jsonKey) return value.reveal();
    const cur = base ? await get(ref, { VersionId: base }, signal) : null;
    const obj = cur?.SecretString !== undefined ? parseJsonObject(cur.SecretString, ref, cfg.jsonKey) : {};
    return JSON.stringify({ ...obj, [cfg.jsonKey]: value.reveal() });
  };

  return {
    kind: 'aws-secrets-manager',
    standby: awsStandby({
      call,
      labels,
      valueOf,
      secretString,
      token: (id) => tokenFor(`standby-${id}`, 1),
    }),
    capabilities: () => awsSecretsManagerBackendSpec.capabilities,

    async checkWritable(ref, signal) {
      const d = await describe(ref, signal);
      if (!d) {
        if (!cfg.createMissing) throw new BackendError('NOT_FOUND', `AWS Secrets Manager secret ${ref} does not exist (createMissing is false)`);
        return;
      }
      if (d.DeletedDate) {
        throw new UnsafeError('SECRET_SCHEDULED_FOR_DELETION', `AWS Secrets Manager secret ${ref} is scheduled for deletion (since ${new Date(d.DeletedDate).toISOString()}): AWS refuses reads and writes of it`, {
          hint: `aws secretsmanager restore-secret --secret-id ${ref}`,
          details: { ref },
        });
      }
      if (d.RotationEnabled && !cfg.allowNativeRotation) {
        throw new UnsafeError('NATIVE_ROTATION_ENABLED', `AWS Secrets Manager secret ${ref} has AWS-native rotation enabled: its rotation Lambda and rekey would each stage, promote and break the other's rotation`, {
          hint: `disable one of the two: aws secretsmanager cancel-rotate-secret --secret-id ${ref}, or set allowNativeRotation: true on the backend if this is intended`,
          details: { ref },
        });
      }
    },

    async read(ref, stage, signal) {
      const r = await get(ref, { VersionStage: LABEL[stage] }, signal);
      if (!r || r.SecretString === undefined) return null;
      if (stage === 'pending' && r.VersionStages?.includes('AWSCURRENT') && !isRekeys(r.VersionId)) return null; // a finished AWS rotation
      return { value: SecretValue.of(decode(r.SecretString, ref)), versionId: r.VersionId, rotationId: rotationOf(r.VersionId) };
    },

    async stage(ref, value, rotationId, signal) {
      let map = await labels(ref, signal);
      if (map === null) {
        if (!cfg.createMissing) throw new BackendError('NOT_FOUND', `AWS Secrets Manager secret ${ref} does not exist (createMissing is false)`);
        const tags = Object.entries(cfg.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
        await call('CreateSecret', ref, new CreateSecretCommand({ Name: ref, Description: 'managed by rekey', ...(cfg.kmsKeyId ? { KmsKeyId: cfg.kmsKeyId } : {}), ...(tags.length ? { Tags: tags } : {}) }), signal);
        map = {};
      }
      const base = holder(map, 'AWSCURRENT');
      const same = async (id: string) => (await valueOf(ref, id, signal)) === value.reveal();
      // this rotation staged already (a retry after a lost answer) or promoted already
      const mine = mineIn(map, rotationId);
      if (mine) {
        if (map[mine]!.includes('AWSPENDING') && !map[mine]!.includes('AWSCURRENT') && !(await same(mine))) {
          throw new BackendError('STAGE_CONFLICT', `rotation ${rotationId} already staged a different value for ${ref}`);
        }
        return { versionId: mine, receipt: receipt(mine, map[mine]!.includes('AWSCURRENT') ? mine : base), detail: `over AWSCURRENT ${base ?? 'none'}` };
      }
      // the pending version already holds this value (`rekey put`, a taken-over rotation): claim it
      const pending = holder(map, 'AWSPENDING');
      if (pending && !strayPending(map, pending) && (await same(pending))) {
        return { versionId: pending, receipt: receipt(pending, map[pending]!.includes('AWSCURRENT') ? pending : base), detail: `over AWSCURRENT ${base ?? 'none'}` };
      }
      const attempts = (await listVersions(ref, true, signal)).filter((v) => rotationOf(v.VersionId) === rotationId).length;
      const token = tokenFor(rotationId, attempts + 1);
      const SecretString = await secretString(ref, value, base, signal);
      // AWSPENDING moves to the new version (off a stray one a finished AWS rotation left on AWSCURRENT too)
      await call('PutSecretValue', ref, new PutSecretValueCommand({ SecretId: ref, ClientRequestToken: token, SecretString, VersionStages: ['AWSPENDING'] }), signal);
      return { versionId: token, receipt: receipt(token, base), detail: `over AWSCURRENT ${base ?? 'none'}` };
    },

    async promote(ref, rotationId, signal, rec) {
      const map = (await labels(ref, signal)) ?? {};
      const r = parseReceipt(rec);
      const mine = r?.v ?? mineIn(map, rotationId);
      if (!mine || !map[mine]) throw new BackendError('NOT_STAGED', `rotation ${rotationId} has no version of ${ref} to promote`);
      const mineLabels = map[mine]!;
      if (!mineLabels.includes('AWSCURRENT')) {
        if (!mineLabels.includes('AWSPENDING')) {
          throw new BackendError('PENDING_TAKEN', `the version ${mine} of rotation ${rotationId} no longer carries AWSPENDING on ${ref}: another rotation staged over it`);
        }
        const cur = holder(map, 'AWSCURRENT');
        if (r && r.base !== cur) {
          throw new BackendError('CURRENT_MOVED', `AWSCURRENT of ${ref} moved from version ${r.base ?? 'none'} to ${cur ?? 'none'} since rotation ${rotationId} staged ${mine}: another writer stored a value; it is kept, this rotation is not promoted`, {
            details: { ref, staged: mine, base: r.base, current: cur },
            hint: `see which value is right (aws secretsmanager list-secret-version-ids --secret-id ${ref}), then put and rotate again`,
          });
        }
        await updateStage(ref, { VersionStage: 'AWSCURRENT', MoveToVersionId: mine, ...(cur ? { RemoveFromVersionId: cur } : {}) }, signal);
      }
      if (mineLabels.includes('AWSPENDING')) await updateStage(ref, { VersionStage: 'AWSPENDING', RemoveFromVersionId: mine }, signal);
    },

    async discard(ref, rotationId, signal, rec) {
      const map = await labels(ref, signal);
      if (!map) return;
      const mine = parseReceipt(rec)?.v ?? Object.keys(map).find((id) => rotationOf(id) === rotationId && map[id]!.includes('AWSPENDING'));
      if (mine && map[mine]?.includes('AWSPENDING')) await updateStage(ref, { VersionStage: 'AWSPENDING', RemoveFromVersionId: mine }, signal);
    },

    async writeAnchor(ref, head, signal) {
      // a tag on a secret of its own (no value): seq:hash, and where and when
      if ((await describe(ref, signal)) === null) {
        await call('CreateSecret', ref, new CreateSecretCommand({ Name: ref, Description: "rekey audit chain head (tags only, no value)", ...(cfg.kmsKeyId ? { KmsKeyId: cfg.kmsKeyId } : {}) }), signal);
      }
      const Tags = [
        { Key: ANCHOR_TAG, Value: `${head.seq}:${head.hash}` },
        { Key: `${ANCHOR_TAG}-at`, Value: `${head.host}@${head.at}` },
      ];
      await call('TagResource', ref, new TagResourceCommand({ SecretId: ref, Tags }), signal);
    },

    async readAnchor(ref, signal) {
      const d = await describe(ref, signal);
      const tags = (d as { Tags?: { Key?: string; Value?: string }[] } | null)?.Tags ?? [];
      const v = tags.find((t) => t.Key === ANCHOR_TAG)?.Value;
      if (!v) return null;
      const m = /^(\d+):([0-9a-f]{64})$/.exec(v);
      if (!m) throw new BackendError('AWS_UNEXPECTED_ANSWER', `the ${ANCHOR_TAG} tag of ${ref} is not <seq>:<sha256>`);
      const where = tags.find((t) => t.Key === `${ANCHOR_TAG}-at`)?.Value ?? '';
      const at = where.lastIndexOf('@');
      return { seq: Number(m[1]), hash: m[2]!, host: at >= 0 ? where.slice(0, at) : '', at: at >= 0 ? where.slice(at + 1) : '' } satisfies AuditAnchor;
    },

    async remove(ref, signal) {
      // at once, no recovery window: a lease that ended must not be restorable by anyone; absent: nothing to do
      try {
        await call('DeleteSecret', ref, new DeleteSecretCommand({ SecretId: ref, ForceDeleteWithoutRecovery: true }), signal);
      } catch (e) {
        if (!(e instanceof BackendError && e.code === 'NOT_FOUND')) throw e;
      }
    },

    async versions(ref, signal) {
      try {
        const vs = await listVersions(ref, false, signal);
        const map: Labels = Object.fromEntries(vs.map((v) => [v.VersionId, v.VersionStages ?? []]));
        return vs.map(
          (v): VersionInfo => ({
            versionId: v.VersionId,
            rotationId: rotationOf(v.VersionId),
            stages: (v.VersionStages ?? [])
              .filter((l) => !(l === 'AWSPENDING' && strayPending(map, v.VersionId)))
              .map((l) => STAGE[l])
              .filter((s): s is Stage => s !== undefined),
            ...(v.CreatedDate ? { createdAt: new Date(v.CreatedDate).toISOString() } : {}),
          }),
        );
      } catch (e) {
        if (e instanceof BackendError && e.code === 'NOT_FOUND') return [];
        throw e;
      }
    },
  };
}
