import { describe, expect, test } from 'vitest';
import { SecretValue } from '../../src/core/secret-value.js';
import { encodeAssignment, parseEnvText, providerAlternates, updateEnvText } from '../../src/io/env-file.js';

const v = (s: string) => SecretValue.of(s);

describe('encodeAssignment', () => {
  test('plain keys are written bare', () => {
    expect(encodeAssignment('ANTHROPIC_API_KEY', v('sk-ant-abc_DEF-123'))).toBe('ANTHROPIC_API_KEY=sk-ant-abc_DEF-123');
    expect(encodeAssignment('T', v('a=b+c/d'))).toBe('T=a=b+c/d');
  });
  test('spaces and # are single-quoted', () => {
    expect(encodeAssignment('T', v('a b#c'))).toBe("T='a b#c'");
  });
  test.each([
    ['newline', 'abc\ndef'],
    ['carriage return', 'abc\rdef'],
    ['NUL', 'abc\0def'],
    ['single quote', "ab'c d"],
    ['backslash', 'ab\\c d'],
    ['dollar', 'ab$HOME'],
    ['backtick', 'ab`id`'],
    ['non-ASCII', 'clé secrète'],
    ['leading space', ' abc'],
    ['empty', ''],
  ])('refuses a value with %s, naming the variable and not the value', (_, value) => {
    let err: Error | undefined;
    try {
      encodeAssignment('ANTHROPIC_API_KEY', v(value));
    } catch (e) {
      err = e as Error;
    }
    expect(err).toBeDefined();
    expect(err!.message).toContain('ANTHROPIC_API_KEY');
    if (value.length > 3) expect(err!.message).not.toContain(value);
  });
  test.each(['1ABC', 'A-B', 'A B', '', 'A=B', 'ÄPI'])('refuses the invalid name %j', (name) => {
    expect(() => encodeAssignment(name, v('x'))).toThrow(/not a valid environment variable name/);
  });
});

describe('updateEnvText', () => {
  const before = '# managed by ops\nexport FOO="bar baz"\r\nANTHROPIC_API_KEY=old\nOTHER=1\nANTHROPIC_API_KEY=dup\n  # trailing comment';
  test('replaces the first assignment in place, drops duplicates, keeps every other byte', () => {
    const after = updateEnvText(before, 'ANTHROPIC_API_KEY', v('new'));
    expect(after).toBe('# managed by ops\nexport FOO="bar baz"\r\nANTHROPIC_API_KEY=new\nOTHER=1\n  # trailing comment');
  });
  test('appends when absent, adding the missing final newline first', () => {
    expect(updateEnvText('A=1', 'B', v('2'))).toBe('A=1\nB=2\n');
    expect(updateEnvText('', 'B', v('2'))).toBe('B=2\n');
  });
  test('removes stale alternates of a provider key', () => {
    const text = 'ANTHROPIC_API_KEYS=a,b\nANTHROPIC_API_KEY_1=a\nOPENCLAW_LIVE_ANTHROPIC_KEY=a\nANTHROPIC_API_KEY=a\nOPENAI_API_KEY=o\n';
    const after = updateEnvText(text, 'ANTHROPIC_API_KEY', v('n'), providerAlternates('ANTHROPIC_API_KEY', 'anthropic'));
    expect(after).toBe('ANTHROPIC_API_KEY=n\nOPENAI_API_KEY=o\n');
  });
  test('round-trips through the parser', () => {
    const after = updateEnvText(before, 'ANTHROPIC_API_KEY', v('with space'));
    expect(parseEnvText(after).get('ANTHROPIC_API_KEY')).toBe('with space');
    // systemd reads `export FOO=…` as the invalid name "export FOO" and drops it
    expect(parseEnvText(after).has('FOO')).toBe(false);
    expect(parseEnvText(after).get('OTHER')).toBe('1');
  });
});
