/**
 * Hostile input, property-based (fast-check): env-file values and names, stdin for `rekey put`,
 * and policy files. Every case either round-trips exactly or ends in a clear error that names the
 * field (never the value), and a refused write changes nothing on disk.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse as parseYaml, stringify } from 'yaml';
import { describe, expect, test } from 'vitest';
import { createSystemdEnvFileSink } from '../../providers/sinks/systemd-env-file.js';
import { PolicyError, RekeyError } from '../../src/core/errors.js';
import { SecretValue } from '../../src/core/secret-value.js';
import { decodeSecretInput } from '../../src/cli/secret-input.js';
import { parseEnvText, providerAlternates, updateEnvText } from '../../src/io/env-file.js';
import { parsePolicy } from '../../providers/registry.js';
import { envFileTarget } from '../harness/targets.js';
import { record } from '../harness/figures.js';

const S = 'hostile input';
const nasty = fc.constantFrom('\n', '\r', '\0', '=', '"', "'", '$', '\\', '`', '#', ' ', '\t', 'é', '€', '\u2028', '\ud800', '${HOME}', '$(id)', 'A=B\nC=D');
const value = fc.oneof(
  fc.string({ minLength: 1, maxLength: 80 }),
  fc.array(fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), nasty), { minLength: 1, maxLength: 12 }).map((a) => a.join('')),
  fc.stringMatching(/^[A-Za-z0-9_\-.]{20,64}$/),
  fc.constant('x'.repeat(1024 * 1024)),
);
const existingFile = fc.array(
  fc.oneof(fc.constant('# comment'), fc.constant(''), fc.constant('export FOO="bar baz"'), fc.constant('ANTHROPIC_API_KEY=old'), fc.constant('ANTHROPIC_API_KEY_2=alt'), fc.constant('OTHER=1'), fc.string({ maxLength: 30 }).map((s) => s.replace(/[\r\n]/g, ''))),
  { maxLength: 10 },
);

describe('hostile input', () => {
  test('env-file encoding: exact round trip, or a clear refusal naming the variable, never the value', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(existingFile, value, (lines, v) => {
        const before = lines.map((l) => l + '\n').join('');
        const alternates = providerAlternates('ANTHROPIC_API_KEY', 'anthropic');
        let after: string;
        try {
          after = updateEnvText(before, 'ANTHROPIC_API_KEY', SecretValue.of(v), alternates);
        } catch (e) {
          refused++;
          expect(e).toBeInstanceOf(RekeyError);
          expect((e as Error).message).toContain('ANTHROPIC_API_KEY');
          if (v.length >= 12) expect((e as Error).message).not.toContain(v);
          return;
        }
        accepted++;
        expect(parseEnvText(after).get('ANTHROPIC_API_KEY')).toBe(v);
        // every line rekey does not own is still there, in order
        const kept = lines.filter((l) => !/^\s*(export\s+)?(ANTHROPIC_API_KEY|ANTHROPIC_API_KEY_\w+|ANTHROPIC_API_KEYS)\s*=/.test(l));
        const afterLines = after.split('\n');
        let i = 0;
        for (const l of afterLines) if (i < kept.length && l === kept[i]) i++;
        expect(i).toBe(kept.length);
      }),
      { numRuns: 600 },
    );
    record({ suite: S, measure: 'env values: accepted+round-tripped / refused cleanly', value: `${accepted}/${refused}` });
  });

  test('names that are not environment variable names are refused', () => {
    let n = 0;
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }).filter((k) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)),
        (k) => {
          n++;
          expect(() => updateEnvText('', k, SecretValue.of('v'))).toThrow(/not a valid environment variable name/);
        },
      ),
      { numRuns: 300 },
    );
    record({ suite: S, measure: 'invalid env names refused', value: n, must: 'all' });
  });

  test('a refused value leaves the real file byte for byte, mode 0600, no temp file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rekey-hostile-in-'));
    const path = join(dir, 'gateway.systemd.env');
    const original = '# ops\nANTHROPIC_API_KEY=old-value-000000000000\n';
    const sink = createSystemdEnvFileSink();
    let refused = 0;
    let changedOnRefusal = 0;
    await fc.assert(
      fc.asyncProperty(value, async (v) => {
        writeFileSync(path, original, { mode: 0o600 });
        try {
          await sink.write(envFileTarget(path), SecretValue.of(v), new AbortController().signal);
        } catch {
          refused++;
          if (readFileSync(path, 'utf8') !== original) changedOnRefusal++;
        }
        expect(statSync(path).mode & 0o777).toBe(0o600);
        expect(readdirSync(dir)).toEqual(['gateway.systemd.env']);
      }),
      { numRuns: 200 },
    );
    record({ suite: S, measure: 'real-file writes refused / file changed on refusal', value: `${refused}/${changedOnRefusal}`, must: 'n/0' });
    expect(changedOnRefusal).toBe(0);
    expect(refused).toBeGreaterThan(0);
  });

  test('stdin for `rekey put`: invalid UTF-8 and control characters refused, naming the secret', () => {
    let n = 0;
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
        n++;
        const buf = Buffer.from(bytes);
        try {
          const v = decodeSecretInput(buf, 'anthropic');
          expect(Buffer.from(v, 'utf8').equals(buf) || Buffer.from(v + '\n', 'utf8').equals(buf) || Buffer.from(v + '\r\n', 'utf8').equals(buf)).toBe(true);
          expect(/[\x00-\x1f\x7f]/.test(v)).toBe(false);
        } catch (e) {
          expect((e as Error).message).toContain('anthropic');
        }
      }),
      { numRuns: 500 },
    );
    expect(() => decodeSecretInput(Buffer.from([0x73, 0x6b, 0xff, 0xfe]), 'anthropic')).toThrow(/not valid UTF-8/);
    expect(() => decodeSecretInput(Buffer.from('line1\nline2\n'), 'anthropic')).toThrow(/control characters/);
    record({ suite: S, measure: 'stdin byte strings checked', value: n });
  });

  test('policy files of any shape: a PolicyError with dot-paths, never a crash', () => {
    let n = 0;
    const check = (text: string) => {
      n++;
      try {
        parsePolicy(text, 'fuzz.yaml');
      } catch (e) {
        expect(e, String(e)).toBeInstanceOf(PolicyError);
        for (const i of (e as PolicyError).issues) {
          expect(typeof i.path).toBe('string');
          expect(i.message.length).toBeGreaterThan(0);
        }
      }
    };
    fc.assert(fc.property(fc.anything({ maxDepth: 4 }), (x) => check(stringify(x) ?? '')), { numRuns: 400 });
    fc.assert(fc.property(fc.string({ maxLength: 300 }), check), { numRuns: 400 });
    // a valid policy with one field replaced by anything: the error points into the policy
    const good = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'policies', 'good', 'minimal.yaml'), 'utf8');
    const fields = ['version', 'environments', 'agents', 'backends', 'services', 'secrets'];
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.anything({ maxDepth: 2 }), (field, junk) => {
        const doc = parseYaml(good) as Record<string, unknown>;
        (doc as Record<string, unknown>)[field] = junk;
        check(stringify(doc));
      }),
      { numRuns: 300 },
    );
    // empty, deeply nested, huge, wrong type
    for (const text of ['', '~', '42', '"a string"', '[1,2,3]', '['.repeat(20000) + ']'.repeat(20000), 'a: '.repeat(5000) + '1', `x: "${'y'.repeat(2 * 1024 * 1024)}"`]) check(text);
    record({ suite: S, measure: 'policy documents checked (no crash)', value: n });
  });
});
