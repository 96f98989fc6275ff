import { describe, expect, test } from 'vitest';
import { catalog, parsePolicy } from '../../providers/registry.js';
import { planRotation } from '../../src/plan/planner.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ctx = { hostname: 'gw1', home: '/home/op', adapters: catalog };
const perAgent = parsePolicy(readFileSync(join(import.meta.dirname, '..', '..', 'policies', 'per-agent.example.yaml'), 'utf8'));

describe('planRotation', () => {
  test('expands agent × env, fills templates and ~, one ref per env', () => {
    const p = planRotation(perAgent, 'anthropic-work', {}, ctx);
    expect(p.targets.map((t) => t.id)).toEqual(['anthropic-work/prod/work#0', 'anthropic-work/staging/work#0']);
    expect(p.refs).toEqual(['openclaw/prod/work/anthropic', 'openclaw/staging/work/anthropic']);
    expect(p.targets[0]!.sink).toMatchObject({ path: '/home/op/.openclaw-prod/gateway.systemd.env' });
    expect(p.targets[0]!.verify).toMatchObject({ stateDir: '/home/op/.openclaw-prod' });
    expect(p.restarts).toEqual(['openclaw-gateway-prod.service', 'openclaw-gateway-staging.service']);
    expect(p.targets[0]!.envVar).toBe('WORK_ANTHROPIC_API_KEY');
  });

  test('the blast radius names agents, environments, hosts, units, files and refs', () => {
    const p = planRotation(perAgent, 'anthropic-work', { env: 'prod' }, ctx);
    expect(p.blastRadius).toEqual({
      agents: ['work'],
      environments: ['prod'],
      hosts: ['*'],
      units: ['openclaw-gateway-prod.service'],
      files: ['/home/op/.openclaw-prod/gateway.systemd.env'],
      keychainItems: [],
      authProfiles: [],
      backendRefs: ['openclaw/prod/work/anthropic'],
    });
  });

  test('filters, and refuses unknown names with the list of known ones', () => {
    expect(() => planRotation(perAgent, 'nope', {}, ctx)).toThrow(/no secret "nope"/);
    expect(() => planRotation(perAgent, 'anthropic-work', { env: 'dev' }, ctx)).toThrow(/no environment "dev"/);
    expect(() => planRotation(perAgent, 'anthropic-work', { agent: 'research' }, ctx)).toThrow(/has no delivery/);
  });

  test('targets on other hosts are listed, not touched', () => {
    const text = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'policies', 'good', 'minimal.yaml'), 'utf8').replace('      - agent: main\n', '      - agent: main\n        host: gw2\n');
    const p = planRotation(parsePolicy(text), 'anthropic', {}, ctx);
    expect(p.targets).toEqual([]);
    expect(p.elsewhere.map((t) => t.host)).toEqual(['gw2']);
    expect(p.warnings.join()).toMatch(/no target .* on this host/);
  });

  test('a target sharing the ref but outside the filter is warned about', () => {
    const text = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'policies', 'good', 'minimal.yaml'), 'utf8')
      .replace('agents: { main: {} }', 'agents: { main: {}, ops: {} }')
      .replace('path: ~/.openclaw/gateway.systemd.env', 'path: "~/.openclaw/{agent}.env"')
      .replace('      - agent: main', '      - agent: [main, ops]');
    const p = planRotation(parsePolicy(text), 'anthropic', { agent: 'main' }, ctx);
    expect(p.warnings.join()).toMatch(/anthropic\/prod\/ops#0 reads the same backend ref/);
  });
});
