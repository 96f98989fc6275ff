/** rekey's version: its own module, so `rekey --version` loads nothing else (no command descriptor). */
import { readFileSync } from 'node:fs';

/** rekey's version, from its package.json */
export function version(): string {
  for (const rel of ['../../../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'rekey') return pkg.version;
    } catch {
      // the other layout (src or dist)
    }
  }
  return 'unknown';
}
