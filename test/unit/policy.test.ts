import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { describe, expect, test } from 'vitest';
import { PolicyError } from '../../src/core/errors.js';
import { parsePolicy } from '../../providers/registry.js';
import { canonicalPath } from '../../src/policy/rules.js';
import { policySchema } from '../../providers/registry.js';

const dir = join(import.meta.dirname, '..', 'fixtures', 'policies');
const examples = join(import.meta.dirname, '..', '..', 'policies');

function issuesOf(text: string) {
  try {
    parsePolicy(text, 'fixture');
  } catch (e) {
    if (e instanceof PolicyError) return e.issues;
    throw e;
  }
  return [];
}

describe('good policies parse', () => {
  const files = [
    ...readdirSync(join(dir, 'good')).map((f) => join(dir, 'good', f)),
    ...readdirSync(examples).filter((f) => f.endsWith('.yaml')).map((f) => join(examples, f)),
  ];
  test.each(files)('%s', (file) => {
    expect(issuesOf(readFileSync(file, 'utf8'))).toEqual([]);
  });
  test('there are examples to parse', () => expect(files.length).toBeGreaterThanOrEqual(4));
});

describe('bad policies: each names its problem at its dot-path', () => {
  const files = readdirSync(join(dir, 'bad'));
  test.each(files)('%s', (file) => {
    const text = readFileSync(join(dir, 'bad', file), 'utf8');
    const path = /# expect-path: (.*)/.exec(text)![1]!.trim();
    const message = /# expect-message: (.*)/.exec(text)![1]!.trim();
    const issues = issuesOf(text);
    expect(issues.length, 'a bad fixture must fail').toBeGreaterThan(0);
    const hit = issues.find((i) => i.path.startsWith(path) && i.message.includes(message));
    expect(hit, JSON.stringify(issues, null, 1)).toBeDefined();
  });
});

describe('every problem is reported at once', () => {
  test('three independent mistakes → three issues', () => {
    const text = readFileSync(join(dir, 'good', 'minimal.yaml'), 'utf8')
      .replace('env: prod', 'env: nowhere')
      .replace('backend: local', 'backend: nope')
      .replace('service: gw', 'service: ghost');
    const paths = issuesOf(text).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['secrets.anthropic.backend', 'secrets.anthropic.deliveries.0.env', 'secrets.anthropic.deliveries.0.service']));
  });
  test('a huge file is refused before parsing', () => {
    expect(issuesOf('#'.repeat(2 * 1024 * 1024))[0]!.message).toMatch(/larger than/);
  });
});

describe('one file, however its path is spelled', () => {
  test('~/x and the absolute home path are one file for the one-owner rule (the home is known at load)', () => {
    const text = readFileSync(join(dir, 'bad', 'two-owners.yaml'), 'utf8').replace('path: /x/.env }', 'path: "~/.openclaw/gw.env" }').replace('path: /x/.env }', 'path: "/home/u/.openclaw/gw.env" }');
    expect(() => parsePolicy(text, 'p', { home: '/home/u' })).toThrow(PolicyError);
    expect(() => parsePolicy(text, 'p', { home: '/home/other' })).not.toThrow();
  });
  test('the planner names each file canonically', () => {
    expect(canonicalPath('~/./a//b/../c.env', '/home/u')).toBe('/home/u/a/c.env');
    expect(canonicalPath('/x/y/', undefined)).toBe('/x/y');
  });
});

describe('the committed JSON Schema', () => {
  test('is the one the zod schema generates (run `npm run schema` after changing it)', () => {
    const committed = JSON.parse(readFileSync(join(examples, 'policy.schema.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(z.toJSONSchema(policySchema, { io: 'input' }))));
  });
});
