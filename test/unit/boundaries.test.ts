/**
 * Dependencies point down only (docs/architecture.md): core ← policy ← plan ← rotation (the state
 * machine) ← audit ← usecases ← io ← providers ← cli. A file may import its own layer or a lower
 * one; the layers below io reach the file system, child processes and the clock only through ports.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');
const LAYERS = ['src/core', 'src/policy', 'src/plan', 'src/rotation', 'src/audit', 'src/usecases', 'src/io', 'providers', 'src/cli'];
/** below io: no file system, child processes or clock of their own */
const PURE = new Set(LAYERS.slice(0, LAYERS.indexOf('src/io')));
const SIDE_EFFECTS = [/from 'node:(fs|fs\/promises|child_process)'/, /\bDate\.now\(/, /\bnew Date\(\)/, /\bperformance\.now\(/, /\bsetTimeout\(/, /\bsetInterval\(/];
/** the watchdog that bounds a hung port is wall-clock time on purpose: a fake clock must not be able to switch it off */
const ALLOWED = new Set(['src/rotation/timeout.ts:setTimeout']);

function files(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}
const layerOf = (file: string) => LAYERS.findIndex((l) => file === l || file.startsWith(`${l}/`));
const importsOf = (text: string) => [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => m[1]!);

const all = ['src', 'providers'].flatMap(files);

/** every import of `sources` (path → text) that points into a higher layer */
function upwardImports(sources: [string, string][]): string[] {
  const upward: string[] = [];
  for (const [f, text] of sources) {
    const from = layerOf(f);
    for (const spec of importsOf(text)) {
      const target = relative(root, resolve(root, dirname(f), spec));
      const to = layerOf(target);
      if (to > from) upward.push(`${f} → ${target} (${LAYERS[from]} imports ${LAYERS[to]})`);
    }
  }
  return upward;
}

describe('architecture boundaries', () => {
  test('every source file belongs to a layer', () => {
    expect(all.filter((f) => layerOf(f) < 0)).toEqual([]);
  });

  test('no import points up a layer', () => {
    expect(upwardImports(all.map((f) => [f, readFileSync(join(root, f), 'utf8')]))).toEqual([]);
  });

  test('below io, side effects come only through ports', () => {
    const found: string[] = [];
    for (const f of all.filter((x) => PURE.has(LAYERS[layerOf(x)]!))) {
      const text = readFileSync(join(root, f), 'utf8');
      for (const re of SIDE_EFFECTS) {
        const m = re.exec(text);
        if (m && !ALLOWED.has(`${f}:${m[0].replace(/\W+$/, '').replace(/^\W+/, '')}`)) found.push(`${f}: ${m[0]}`);
      }
    }
    expect(found).toEqual([]);
  });

  test('the check catches an upward import, static or dynamic (it can fail)', () => {
    const bad = upwardImports([
      ['src/core/x.ts', "import type { A } from '../../providers/registry.js';\nimport { b } from './y.js';"],
      ['src/plan/p.ts', "const m = await import('../usecases/rotate.js');\nimport { c } from '../core/target.js';"],
    ]);
    expect(bad).toEqual(['src/core/x.ts → providers/registry.js (src/core imports providers)', 'src/plan/p.ts → src/usecases/rotate.js (src/plan imports src/usecases)']);
  });

  test('the planner, the policy rules and the use cases name no adapter kind', () => {
    const kinds = ['systemd-env-file', 'keychain', 'openclaw-secretref-file', 'openclaw-auth-profile', 'openclaw-config-token', 'openclaw-models-status', 'openclaw-secrets-audit', 'openclaw-gateway-probe', 'aws-secrets-manager', 'vault', 'systemd-user', 'launchd'];
    const named: string[] = [];
    for (const f of all.filter((x) => /^src\/(core|policy|plan|rotation|usecases|io)\//.test(x) || x === 'src/cli/deps.ts')) {
      const code = readFileSync(join(root, f), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      for (const k of kinds) if (code.includes(`'${k}'`)) named.push(`${f}: '${k}'`);
    }
    expect(named).toEqual([]);
  });
});
