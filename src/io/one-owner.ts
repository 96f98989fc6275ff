import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { PolicyError } from '../core/errors.js';
import type { AdapterCatalog } from '../core/adapters.js';
import type { Target } from '../core/target.js';

/** a path with its existing parent directories' symlinks resolved (the file itself need not exist) */
async function onDisk(path: string): Promise<string> {
  let dir = dirname(path);
  const rest: string[] = [basename(path)];
  for (;;) {
    try {
      return join(await fs.realpath(dir), ...rest.reverse());
    } catch {
      const up = dirname(dir);
      if (up === dir) return path;
      rest.push(basename(dir));
      dir = up;
    }
  }
}

/**
 * The one-owner rule on this host's disk: two secrets must not write the same variable of the same
 * env file, even when their paths reach it through a symlinked directory. (The policy loader
 * already compares the spelled paths, `~` expanded and normalised.) exit 2, both named.
 */
export async function assertOneOwnerOnDisk(targets: Target[], adapters: AdapterCatalog, file = 'policy'): Promise<void> {
  const owners = new Map<string, { owner: string; path: string }>();
  for (const t of targets) {
    // the places its sink owns alone (an env file's variable: <path>#<key>)
    for (const spelled of adapters.sink(t.sink.kind).places?.(t.sink, t.envVar) ?? []) {
      const cut = spelled.lastIndexOf('#');
      const [path, key] = [spelled.slice(0, cut), spelled.slice(cut + 1)];
      const real = await onDisk(path);
      const place = `${real}#${key}`;
      const owner = `${t.secret} (${t.ref})`;
      const other = owners.get(place);
      if (other && other.owner !== owner) {
        throw new PolicyError(file, [
          {
            path: `secrets.${t.secret}`,
            message: `${path} and ${other.path} are the same file on this host (${real}): ${key} would get two values, ${other.owner} and ${owner}`,
            hint: 'rekey owns exactly one source per variable: give each secret its own file or variable',
          },
        ]);
      }
      owners.set(place, { owner, path });
    }
  }
}
