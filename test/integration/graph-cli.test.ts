/**
 * The blast radius as a graph through the built CLI: `plan --format mermaid|dot|svg` for one
 * secret, `graph` for the whole policy. The DOT text is checked by Graphviz's own parser (`dot
 * -Tsvg`, Debian graphviz); without `dot` on PATH, svg is a clear usage error (exit 2).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { anthropicPolicy } from '../harness/light-policy.js';
import { rekeyAsync } from '../harness/rekey-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rekey-graph-'));
const policyFile = join(dir, 'policy.yaml');
writeFileSync(
  policyFile,
  anthropicPolicy({
    agents: ['main', 'work'],
    services: '{ gw: { kind: systemd-user, unit: "openclaw-gateway.service" } }',
    deliveries: `      - agent: [main, work]
        env: prod
        sink: { kind: systemd-env-file, path: "~/.openclaw/{agent}.env" }
        service: gw
        verify: { kind: none, reason: "graph test" }
      - agent: main
        env: prod
        host: gw2
        sink: { kind: systemd-env-file, path: "/srv/gw2 \\"quoted\\".env" }
        service: gw
        verify: { kind: none, reason: "graph test" }
`,
    secrets: `  gateway:
    layer: gateway-token
    backend: local
    ref: openclaw/{env}/gateway-token
    deliveries:
      - agent: main
        env: prod
        sink: { kind: systemd-env-file, path: "~/.openclaw/gateway.systemd.env" }
        service: gw
        verify: { kind: none, reason: "graph test" }
`,
  }),
);
const env = { HOME: dir, REKEY_HOME: join(dir, 'rekey'), PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };
const cli = (args: string[], e: Record<string, string> = env) => rekeyAsync([...args, '--policy', policyFile], e);
const hasDot = spawnSync('dot', ['-V']).status === 0;

describe('the blast radius as a graph', () => {
  test('plan --format mermaid: credential → ref → hosts → unit → agents → files, this host and another', async () => {
    const r = await cli(['plan', 'anthropic', '--format', 'mermaid']);
    expect(r.code, r.stderr).toBe(0);
    const m = r.stdout;
    expect(m.split('\n')[0]).toBe('flowchart LR');
    for (const label of ['anthropic (provider-key: anthropic)', 'local: openclaw/prod/anthropic', 'unit openclaw-gateway.service', 'agent main × prod', 'agent work × prod', 'host gw2', `${dir}/.openclaw/work.env`, '/srv/gw2 #quot;quoted#quot;.env']) expect(m).toContain(label);
    // every edge joins declared nodes
    const ids = new Set([...m.matchAll(/^ {2}(\w+)[[({>]/gm)].map((x) => x[1]));
    const edges = [...m.matchAll(/^ {2}(\w+) --> (\w+)$/gm)];
    expect(edges.length).toBeGreaterThanOrEqual(8);
    for (const e of edges) expect(ids.has(e[1]!) && ids.has(e[2]!)).toBe(true);
    expect(m).not.toMatch(/sk-|secret value/);
  });

  test.runIf(hasDot)('graph --format dot is valid DOT (Graphviz parses and renders it); --format svg renders it', async () => {
    const d = await cli(['graph', '--format', 'dot']);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toContain('gateway (gateway-token)');
    const parsed = spawnSync('dot', ['-Tsvg'], { input: d.stdout, encoding: 'utf8' });
    expect(parsed.status, parsed.stderr).toBe(0);
    const s = await cli(['graph', '--format', 'svg']);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toMatch(/<svg[\s\S]*agent work × prod[\s\S]*<\/svg>/);
  });

  test('--format svg without Graphviz on PATH: a clear usage error (exit 2); an unknown format too', async () => {
    const noDot = { ...env, PATH: '/nonexistent' };
    const r = await rekeyAsync(['graph', '--format', 'svg', '--policy', policyFile], noDot);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/GRAPHVIZ_NOT_FOUND|needs Graphviz `dot`/);
    expect(r.stderr).toMatch(/apt-get install graphviz/);
    const u = await cli(['plan', 'anthropic', '--format', 'png']);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/one of text, mermaid, dot, svg/);
  });
});
