import { promises as fs } from 'node:fs';

export interface WideFile {
  file: string;
  mode: string;
}

/**
 * Live files that hold a credential and are readable or writable beyond their owner (wider than
 * 0600): `plan` and `status` warn about them. rekey writes 0600 itself; a wider mode was set by
 * someone else (or a tool that copied the file) and exposes the key until fixed.
 */
export async function wideFiles(files: string[]): Promise<WideFile[]> {
  const out: WideFile[] = [];
  for (const file of [...new Set(files)]) {
    try {
      const st = await fs.stat(file);
      if ((st.mode & 0o077) !== 0) out.push({ file, mode: (st.mode & 0o777).toString(8).padStart(4, '0') });
    } catch {
      // absent: nothing exposed
    }
  }
  return out;
}

export const renderWide = (w: WideFile[]): string =>
  w.map((x) => `WARNING: ${x.file} has mode ${x.mode}, wider than 0600: others can read the credential in it (chmod 600 ${x.file}; rekey writes 0600)\n`).join('');
