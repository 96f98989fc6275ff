/**
 * How rekey names and recognises AWS Secrets Manager versions: its ClientRequestTokens, the
 * receipt a stage hands to promote and discard, and reading the staging labels
 * (DescribeSecret's VersionIdsToStages).
 */
import { BackendError } from '../../src/core/errors.js';
import type { Stage } from '../../src/core/ports.js';

export const LABEL: Record<Stage, string> = { current: 'AWSCURRENT', pending: 'AWSPENDING', previous: 'AWSPREVIOUS' };
export const STAGE: Record<string, Stage> = { AWSCURRENT: 'current', AWSPENDING: 'pending', AWSPREVIOUS: 'previous' };

/**
 * Version ids (ClientRequestTokens, 32–64 characters) rekey writes: `<rotation id>.a<attempt>`,
 * padded with `_` to 32. A fresh token per stage attempt: AWS silently ignores a repeated token,
 * so restaging a rotation after a discard needs a new one. Any other id is another writer's.
 */
export const tokenFor = (rotationId: string, attempt: number): string => {
  const t = `${rotationId}.a${attempt}`;
  if (t.length > 64) throw new BackendError('ROTATION_ID_TOO_LONG', `rotation id ${rotationId} is too long for an AWS ClientRequestToken`);
  return t.padEnd(32, '_');
};
/** the rotation (or put) a version id belongs to: rekey's token → its rotation id; anything else → itself */
export const rotationOf = (versionId: string): string => /^(.+)\.a\d+_*$/.exec(versionId)?.[1] ?? versionId;
/** a version rekey wrote (a rotation's or a put's) */
export const isRekeys = (versionId: string) => rotationOf(versionId) !== versionId;

export interface Receipt {
  /** the version this rotation staged (or claimed: a pending version `rekey put` made with the same value) */
  v: string;
  /** the version that held AWSCURRENT when it staged */
  base: string | null;
}
export const parseReceipt = (r: string | undefined): Receipt | null => {
  if (!r) return null;
  try {
    const o = JSON.parse(r) as Receipt;
    return typeof o.v === 'string' ? o : null;
  } catch {
    return null;
  }
};

export type Labels = Record<string, string[]>;
export const holder = (map: Labels, label: string) => Object.entries(map).find(([, l]) => l.includes(label))?.[0] ?? null;
/** AWSPENDING on the AWSCURRENT version: a finished AWS (Lambda) rotation, not one in progress — unless rekey wrote it as the secret's first version */
export const strayPending = (map: Labels, id: string) => map[id]!.includes('AWSCURRENT') && map[id]!.includes('AWSPENDING') && !isRekeys(id);
/** the receipt of a staged version: it and the AWSCURRENT version it was staged over */
export const receipt = (v: string, base: string | null): string => JSON.stringify({ v, base } satisfies Receipt);
