import { PutSecretValueCommand, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { BackendError } from '../../src/core/errors.js';
import type { StandbyPool } from '../../src/core/ports.js';
import { SecretValue } from '../../src/core/secret-value.js';

/** the staging label of a standby entry; AWS allows up to 256 characters and 20 labels per version */
const PREFIX = 'rekey-standby-';

interface Io {
  call<T>(op: string, secretId: string, command: unknown, signal: AbortSignal): Promise<T>;
  /** VersionIdsToStages, or null when the secret does not exist */
  labels(ref: string, signal: AbortSignal): Promise<Record<string, string[]> | null>;
  /** the value of a version (the jsonKey field when set), null if absent */
  valueOf(ref: string, versionId: string, signal: AbortSignal): Promise<string | null>;
  /** the SecretString to store for `value` (the jsonKey merged into the object of version `base` when set) */
  secretString(ref: string, value: SecretValue, base: string, signal: AbortSignal): Promise<string>;
  token(id: string): string;
}

/**
 * The standby pool in AWS Secrets Manager: each entry a version of the secret carrying only the
 * custom staging label `rekey-standby-<id>` (never AWSCURRENT or AWSPENDING, so no consumer and no
 * rotation Lambda sees it). Removing it takes the label off; AWS deprecates the unlabelled version.
 * A secret's first version is always AWSCURRENT, so a pool needs a current value first.
 */
export function awsStandby(io: Io): StandbyPool {
  const entries = async (ref: string, signal: AbortSignal) =>
    Object.entries((await io.labels(ref, signal)) ?? {})
      .flatMap(([versionId, ls]) => ls.filter((l) => l.startsWith(PREFIX)).map((l) => ({ id: l.slice(PREFIX.length), versionId })))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    async add(ref, id, value, signal) {
      const map = await io.labels(ref, signal);
      const current = map ? Object.keys(map).find((id) => map[id]!.includes('AWSCURRENT')) : undefined;
      if (!map || !current) {
        throw new BackendError('STANDBY_NEEDS_CURRENT', `AWS Secrets Manager secret ${ref} has no current value: AWS makes a secret's first version current, so a standby cannot be its first`, {
          hint: 'put and rotate the first value, then add standbys',
        });
      }
      const there = Object.entries(map).find(([, ls]) => ls.includes(PREFIX + id));
      if (there) {
        if ((await io.valueOf(ref, there[0], signal)) !== value.reveal()) throw new BackendError('STANDBY_CONFLICT', `standby ${id} of ${ref} already holds a different value`);
        return;
      }
      const SecretString = await io.secretString(ref, value, current, signal);
      await io.call('PutSecretValue', ref, new PutSecretValueCommand({ SecretId: ref, ClientRequestToken: io.token(id), SecretString, VersionStages: [PREFIX + id] }), signal);
    },
    async list(ref, signal) {
      const out = [];
      for (const e of await entries(ref, signal)) {
        const v = await io.valueOf(ref, e.versionId, signal);
        if (v !== null) out.push({ id: e.id, fingerprint: SecretValue.of(v).fingerprint });
      }
      return out;
    },
    async read(ref, id, signal) {
      const e = (await entries(ref, signal)).find((x) => x.id === id);
      const v = e ? await io.valueOf(ref, e.versionId, signal) : null;
      return v === null ? null : SecretValue.of(v);
    },
    async remove(ref, id, signal) {
      const e = (await entries(ref, signal)).find((x) => x.id === id);
      if (e) await io.call('UpdateSecretVersionStage', ref, new UpdateSecretVersionStageCommand({ SecretId: ref, VersionStage: PREFIX + id, RemoveFromVersionId: e.versionId }), signal);
    },
  };
}
