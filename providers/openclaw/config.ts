/** Reading an OpenClaw config (openclaw.json) the way rekey needs: plain JSON, never followed through a symlink. */
import { UnsafeError } from '../../src/core/errors.js';
import { readNoFollow } from '../../src/io/atomic-write.js';
import type { OpenclawTarget } from './cli.js';

export const configPathOf = (o: Pick<OpenclawTarget, 'stateDir' | 'configPath'>, home: string) => o.configPath ?? `${o.stateDir ?? `${home}/.openclaw`}/openclaw.json`;

export type OpenclawConfig = {
  gateway?: { mode?: string; port?: number; auth?: { mode?: string; token?: unknown }; remote?: { url?: string; token?: unknown } };
  [k: string]: unknown;
};

/** null if the file does not exist; refused if it is not a JSON object (rekey must read the token to snapshot it). */
export async function readOpenclawConfig(path: string): Promise<OpenclawConfig | null> {
  const bytes = await readNoFollow(path);
  if (bytes === null) return null;
  try {
    const doc = JSON.parse(bytes.toString('utf8')) as unknown;
    if (doc && typeof doc === 'object' && !Array.isArray(doc)) return doc as OpenclawConfig;
  } catch {
    /* below */
  }
  throw new UnsafeError('OPENCLAW_CONFIG_UNREADABLE', `${path} is not plain JSON: rekey reads the current token from it to be able to put it back`, {
    hint: 'openclaw config validate; OpenClaw writes plain JSON itself (e.g. after `openclaw config patch`)',
  });
}
