/**
 * Every policy example in README.md and docs/ is checked: a whole policy must load as written; a
 * fragment (a delivery's sink/service/verify, a `secrets:` or `backends:` excerpt) must load once
 * placed into a minimal policy. Documentation that drifts from the schema fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse, stringify } from 'yaml';
import { parsePolicy } from '../../providers/registry.js';
import { REPO } from '../harness/openclaw.js';

const files = ['README.md', ...readdirSync(join(REPO, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];
const blocks = files.flatMap((f) => {
  const text = readFileSync(join(REPO, f), 'utf8');
  // fenced blocks, also indented ones inside a list item (dedented by their fence's indent)
  return [...text.matchAll(/^( *)```yaml\n([\s\S]*?)^\1```/gm)].map((m, i) => ({
    name: `${f} #${i + 1}`,
    yaml: m[2]!.split('\n').map((l) => l.slice(m[1]!.length)).join('\n'),
  }));
});

type Doc = Record<string, any>;
const base = (): Doc => ({
  version: 1,
  environments: { prod: {}, staging: {} },
  agents: { main: {}, work: {} },
  backends: { local: { kind: 'local' } },
  services: { gateway: { kind: 'systemd-user', unit: 'openclaw-gateway.service' }, 'ci-runner': { kind: 'systemd-user', unit: 'ci-runner.service' } },
  secrets: {
    anthropic: { layer: 'provider-key', provider: 'anthropic', envVar: 'ANTHROPIC_API_KEY', backend: 'local', ref: 'openclaw/{env}/anthropic', deliveries: [] as Doc[] },
  },
});
const delivery = { agent: 'main', env: 'prod', sink: { kind: 'systemd-env-file', path: '~/.openclaw/gateway.systemd.env' }, service: 'gateway', verify: { kind: 'openclaw-models-status' } };

function merge(into: Doc, from: Doc): Doc {
  for (const [k, v] of Object.entries(from)) into[k] = v && typeof v === 'object' && !Array.isArray(v) && into[k] && typeof into[k] === 'object' ? merge(into[k], v) : v;
  return into;
}

/** a fragment placed where it belongs in a minimal policy */
function asPolicy(fragment: Doc): Doc {
  if ('version' in fragment) return fragment;
  const p = base();
  if ('sink' in fragment) {
    p.secrets.anthropic.deliveries = [{ ...delivery, ...fragment }];
    return p;
  }
  merge(p, fragment);
  for (const s of Object.values(p.secrets) as Doc[]) if (!s.deliveries?.length) s.deliveries = [delivery];
  return p;
}

describe('policy examples in the documentation load', () => {
  test('there are examples to check', () => expect(blocks.length).toBeGreaterThanOrEqual(9));
  test.each(blocks)('$name', ({ yaml }) => {
    const policy = asPolicy(parse(yaml) as Doc);
    expect(() => parsePolicy(stringify(policy), 'docs example')).not.toThrow();
  });
});
