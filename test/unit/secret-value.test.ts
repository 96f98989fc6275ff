import { inspect } from 'node:util';
import { describe, expect, test } from 'vitest';
import { fingerprint, SecretValue } from '../../src/core/secret-value.js';

const KEY = 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789-9f3Q';

describe('SecretValue', () => {
  test('never renders its value by accident', () => {
    const s = SecretValue.of(KEY);
    expect(String(s)).toBe('[redacted]');
    expect(`${s}`).toBe('[redacted]');
    expect(JSON.stringify({ s })).toBe('{"s":"[redacted]"}');
    expect(inspect(s)).not.toContain('abcdefgh');
    expect(inspect({ nested: { s } }, { depth: 5 })).not.toContain('abcdefgh');
    expect(Object.keys(s)).not.toContain('value');
    expect(s.reveal()).toBe(KEY);
  });

  test('equals compares values, not identity', () => {
    expect(SecretValue.of('a-b-c').equals(SecretValue.of('a-b-c'))).toBe(true);
    expect(SecretValue.of('a-b-c').equals(SecretValue.of('a-b-d'))).toBe(false);
    expect(SecretValue.of('a').equals(SecretValue.of('ab'))).toBe(false);
  });
});

describe('fingerprint', () => {
  test('long values: first and last four plus a short hash', () => {
    expect(fingerprint(KEY)).toMatch(/^sk-a…9f3Q#[0-9a-f]{8}$/);
  });
  test('short values: the hash only, no characters of the value', () => {
    const fp = fingerprint('hunter2-pass');
    expect(fp).toMatch(/^#[0-9a-f]{8}$/);
    expect(fp).not.toContain('hunt');
  });
  test('differs for different values, stable for the same', () => {
    expect(fingerprint(KEY)).toBe(fingerprint(KEY));
    expect(fingerprint(KEY)).not.toBe(fingerprint(KEY.replace('a', 'b')));
  });
});

describe('fingerprint length rule', () => {
  test('never more than a quarter of the value, none under 16 characters', () => {
    for (let n = 1; n <= 80; n++) {
      const v = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ!@#$%^&*()_+-=[]{}'.slice(0, n);
      const fp = fingerprint(v);
      const shown = fp.split('#')[0]!.replace('…', '').length;
      expect(shown, `length ${n}: ${fp}`).toBeLessThanOrEqual(Math.floor(n / 4));
      if (n < 16) expect(shown).toBe(0);
    }
    expect(fingerprint('a'.repeat(19) + 'Z')).toMatch(/^aa…aZ#/);
    expect(fingerprint('sk-ant-api03-' + 'x'.repeat(30) + '9f3Q')).toMatch(/^sk-a…9f3Q#/);
  });
});
