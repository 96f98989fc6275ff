import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { SecretValue } from '../core/secret-value.js';

/** OpenClaw's leftovers that keep old plaintext: openclaw.json.bak, .bak.1–.bak.4, .last-good, *.migrated-* (openclaw.md). */
export const RESIDUE_NAME = /(\.bak(\.\d+)?|\.last-good|\.migrated-[^/]*)$/;
const MAX_BYTES = 16 * 1024 * 1024;

export interface ResidueHit {
  file: string;
  /** fingerprints of the old values found in it: never the values */
  fingerprints: string[];
}

async function walk(dir: string, depth: number, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory() && depth > 0) await walk(p, depth - 1, out);
    else if (e.isFile() && RESIDUE_NAME.test(e.name)) out.push(p);
  }
}

/** Residue files under `dirs` (3 levels deep, symlinks never followed) that contain any of `values`. */
export async function scanResidue(dirs: string[], values: SecretValue[]): Promise<ResidueHit[]> {
  const files: string[] = [];
  for (const d of [...new Set(dirs)]) await walk(d, 3, files);
  const hits: ResidueHit[] = [];
  for (const file of files.sort()) {
    const st = await fs.lstat(file).catch(() => null);
    if (!st?.isFile() || st.size > MAX_BYTES) continue;
    const text = await fs.readFile(file, 'utf8').catch(() => '');
    const found = values.filter((v) => v.length >= 8 && text.includes(v.reveal())).map((v) => v.fingerprint);
    if (found.length) hits.push({ file, fingerprints: [...new Set(found)] });
  }
  return hits;
}

/**
 * Key-like words in a residue file: runs of 16+ characters that keys and tokens are made of (an
 * env line's value, a JSON string, a YAML scalar all split out of their syntax this way).
 */
const CANDIDATE = /[A-Za-z0-9_\-.~+/=:]{16,512}/g;

/** the values in residue files under `dirs` whose fingerprint matches: a leaked value known only by its fingerprint */
export async function findResidueValues(dirs: string[], matches: (fingerprint: string) => boolean): Promise<{ file: string; value: SecretValue }[]> {
  const files: string[] = [];
  for (const d of [...new Set(dirs)]) await walk(d, 3, files);
  const out: { file: string; value: SecretValue }[] = [];
  for (const file of files.sort()) {
    const st = await fs.lstat(file).catch(() => null);
    if (!st?.isFile() || st.size > MAX_BYTES) continue;
    const text = await fs.readFile(file, 'utf8').catch(() => '');
    const seen = new Set<string>();
    for (const m of text.matchAll(CANDIDATE)) {
      // a word may carry its env name (NAME=value) or a JSON pointer prefix: try it and what follows each = or :
      for (const w of [m[0], ...[...m[0].matchAll(/[=:]/g)].map((x) => m[0].slice(x.index + 1))]) {
        if (w.length < 8 || seen.has(w)) continue;
        seen.add(w);
        const v = SecretValue.of(w);
        if (matches(v.fingerprint)) out.push({ file, value: v });
      }
    }
  }
  return out;
}

export async function removeResidue(file: string): Promise<void> {
  await fs.rm(file, { force: true });
}
