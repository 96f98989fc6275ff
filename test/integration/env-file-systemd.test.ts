/**
 * rekey reads and edits EnvironmentFile= content exactly as the real systemd user manager does:
 * for generated files (every construct systemd's parser knows: quotes, escapes, continuations,
 * comments, CRLF, `export`, invalid names, invalid UTF-8), the environment a real unit receives
 * (its /proc/self/environ) equals what rekey's parser says; and after rekey's edit the unit
 * receives the new value with every other variable unchanged, or rekey refused the file.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RekeyError } from '../../src/core/errors.js';
import { SecretValue } from '../../src/core/secret-value.js';
import { parseEnvBytes, providerAlternates, updateEnvBytes } from '../../src/io/env-file.js';
import { loadSystemdEnv, parseSystemdEnv } from '../../src/io/systemd-env-parse.js';
import { record } from '../harness/figures.js';
import { startUserManager, type UserManager } from '../harness/systemd-user.js';

/** the names generated files use; only these are compared (the manager adds HOME, PATH, …) */
const NAMES = ['T_A', 'T_B', 'ANTHROPIC_API_KEY', 'ANTHROPIC_API_KEY_2', 'ANTHROPIC_API_KEYS'];
const KEY = 'ANTHROPIC_API_KEY';

describe('env files: rekey reads them as the real systemd does', () => {
  let um: UserManager;
  let root: string;
  let file: string;
  let out: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'rekey-envfile-'));
    um = await startUserManager(root);
    file = join(root, 'case.env');
    out = join(root, 'environ');
    // cp's own /proc/self/environ is exactly what the manager handed the process
    um.writeUnit('envdump.service', `[Unit]\nStartLimitIntervalSec=0\n[Service]\nType=oneshot\nEnvironmentFile=${file}\nExecStart=/bin/cp /proc/self/environ ${out}\n`);
  });
  afterAll(async () => {
    await um?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  /** the environment a real unit gets from these bytes (names in NAMES), or null if it does not start */
  const received = (bytes: Buffer): Map<string, string> | null => {
    writeFileSync(file, bytes, { mode: 0o600 });
    rmSync(out, { force: true });
    const r = um.systemctl('start', 'envdump.service');
    if (r.code !== 0) {
      um.systemctl('reset-failed', 'envdump.service');
      return null;
    }
    const vars = new Map<string, string>();
    for (const entry of readFileSync(out).toString('utf8').split('\0')) {
      const i = entry.indexOf('=');
      if (i > 0 && NAMES.includes(entry.slice(0, i))) vars.set(entry.slice(0, i), entry.slice(i + 1));
    }
    return vars;
  };
  /** what rekey says the unit gets, restricted to NAMES; null = systemd would refuse the file */
  const believed = (bytes: Buffer): Map<string, string> | null => {
    const loaded = loadSystemdEnv(parseSystemdEnv(bytes));
    if (!loaded.ok) return null;
    return new Map([...parseEnvBytes(bytes)].filter(([k]) => NAMES.includes(k)));
  };
  const sorted = (m: Map<string, string> | null) => (m ? [...m].sort(([a], [b]) => a.localeCompare(b)) : null);

  const hand: [string, string][] = [
    ['a continuation joins the next line (the finding)', `NOTE=see docs \\\n${KEY}=sk-ant-old\nT_A=1\n`],
    ['export is not a keyword', `export ${KEY}=sk-ant-old\nT_A=1\n`],
    ['double quotes with escapes', `T_A="a\\nb \\"q\\" \\$x \\\\ \\\`"\n`],
    ['single quotes are literal', `T_A='a\\nb "q" $x'\n`],
    ['quotes glued to bare text', `T_A='x'y"z" w\n`],
    ['semicolon and hash comments', `; c1\n# c2\nT_A=1 # not a comment\n`],
    ['trailing and leading blanks', `  T_A  =   v  \t\nT_B=\n`],
    ['CRLF lines', `T_A=1\r\n${KEY}=sk-ant-old\r\n`],
    ['a quoted value spanning lines', `T_A="line one\n${KEY}=inside"\nT_B=2\n`],
    ['invalid UTF-8 in a comment', Buffer.from([...Buffer.from('# caf'), 0xe9, ...Buffer.from(`\n${KEY}=sk-ant-old\n`)]).toString('latin1')],
    ['invalid UTF-8 in a value', Buffer.from([...Buffer.from('T_A=caf'), 0xe9, ...Buffer.from(`\n${KEY}=sk-ant-old\n`)]).toString('latin1')],
    ['an invalid name', `T-A=1\nT_B=2\n`],
    ['duplicates: last value wins', `T_A=1\nT_A=2\n`],
    ['no final newline, backslash at the end', `T_A=1\\`],
    ['a bare CR as a newline', `T_A=1\rT_B=2\r`],
  ];

  test.each(hand)('%s', (_, text) => {
    const bytes = Buffer.from(text, 'latin1');
    expect(sorted(believed(bytes))).toEqual(sorted(received(bytes)));
  });

  test('the finding: a continuation before the key → rekey refuses the file (exit 3 class), naming the line', () => {
    const bytes = Buffer.from(`NOTE=see docs \\\n${KEY}=sk-ant-old\n`, 'latin1');
    expect(received(Buffer.from(`${KEY}=sk-ant-old\n`))?.get(KEY)).toBe('sk-ant-old'); // the harness sees what a unit gets
    expect(received(bytes)!.has(KEY)).toBe(false); // systemd: no key at all
    expect(() => updateEnvBytes(bytes, KEY, SecretValue.of('sk-ant-new-0000000000000000000001'))).toThrow(/line 2: .*looks like an assignment of ANTHROPIC_API_KEY/);
  });

  test('untouched lines come back byte for byte, invalid UTF-8 included', () => {
    const before = Buffer.from([...Buffer.from('# caf'), 0xe9, 0xff, ...Buffer.from(`\nT_A='x y'\r\n${KEY}=sk-ant-old\nT_B=2`)]);
    const after = updateEnvBytes(before, KEY, SecretValue.of('sk-ant-new-0000000000000000000001'));
    expect(after.equals(Buffer.concat([before.subarray(0, before.indexOf(`${KEY}=`)), Buffer.from(`${KEY}=sk-ant-new-0000000000000000000001\nT_B=2`)]))).toBe(true);
    expect(received(after)!.get(KEY)).toBe('sk-ant-new-0000000000000000000001');
  });

  test('property: for generated files, rekey believes what the unit receives; an edit lands exactly, or is refused', () => {
    const piece = fc.oneof(
      fc.constantFrom('T_A', 'T_B', KEY, `${KEY}_2`, `${KEY}S`, 'export T_A', 'T-B', ' ', '\t', '=', '"', "'", '\\', '#', ';', '\n', '\r\n', '\r', 'x', 'y z', '$', '`', 'é'),
      fc.constant('\\\n'),
      fc.constant(Buffer.from([0xff]).toString('latin1')),
    );
    const line = fc.array(piece, { minLength: 1, maxLength: 8 }).map((a) => a.join(''));
    const files = fc.array(line, { minLength: 1, maxLength: 6 }).map((ls) => ls.join('\n') + '\n');
    let cases = 0;
    let edited = 0;
    let refused = 0;
    fc.assert(
      fc.property(files, fc.constantFrom('sk-ant-new-0000000000000000000001', 'with space and # hash'), (text, value) => {
        cases++;
        const bytes = Buffer.from(text, 'latin1');
        const got = received(bytes);
        expect(sorted(believed(bytes)), JSON.stringify(text)).toEqual(sorted(got));
        let after: Buffer;
        try {
          after = updateEnvBytes(bytes, KEY, SecretValue.of(value), providerAlternates(KEY, 'anthropic'));
        } catch (e) {
          expect(e, JSON.stringify(text)).toBeInstanceOf(RekeyError);
          refused++;
          return;
        }
        edited++;
        const now = received(after);
        expect(now, JSON.stringify(text)).not.toBeNull();
        const want = new Map([...got!].filter(([k]) => !k.startsWith(KEY)));
        want.set(KEY, value);
        expect(sorted(now), JSON.stringify(text)).toEqual(sorted(want));
      }),
      { numRuns: 150, seed: 20261130 },
    );
    record({ suite: 'env files vs systemd', measure: 'generated files: agreed / edited exactly / refused', value: `${cases}/${edited}/${refused}`, must: 'all agree' });
  }, 600_000);
});
