/**
 * Fuzz: rekey's own state files (store, key-id, journal, lock, audit) corrupted at random —
 * truncated, bytes flipped, replaced by garbage or by JSON of another shape — and then `status`,
 * `plan`, `put` and `resume` run (in process, the real CLI entry). No run may end in exit 1 (a bug,
 * with a stack trace): every failure is a named error with its documented exit code.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync, cpSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { main } from '../../src/cli/main.js';
import { record } from '../harness/figures.js';
import { lightPolicy } from '../harness/light-policy.js';

const POLICY = lightPolicy({ envFile: '/tmp/rekey-fuzz-never-written.env', reason: 'fuzz only, never rotated' });


/** a small deterministic PRNG: the same cases every run */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function run(argv: string[], env: NodeJS.ProcessEnv, input = '') {
  let out = '';
  let err = '';
  const code = await main(argv, {
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    readStdin: async () => Buffer.from(input),
    stdinIsTTY: false,
    env: { ...env },
    signal: new AbortController().signal,
  });
  return { code, out, err };
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) if (e.isFile()) out.push(join(e.parentPath, e.name));
  return out;
}

test('corrupt state files never end in exit 1', { timeout: 600_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'rekey-fuzz-'));
  const policy = join(root, 'policy.yaml');
  writeFileSync(policy, POLICY);
  const pristine = join(root, 'pristine');
  const env = { HOME: root, REKEY_HOME: pristine, PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };
  const p = ['--policy', policy];
  expect((await run(['init', ...p], env)).code).toBe(0);
  expect((await run(['put', 'anthropic', '--env', 'prod', '--stdin', ...p], env, 'sk-ant-fuzz-one-0000000000000000000000000001')).code).toBe(0);
  // a journal, a lock and an audit log to corrupt too
  mkdirSync(join(pristine, 'journal'), { recursive: true, mode: 0o700 });
  mkdirSync(join(pristine, 'locks'), { recursive: true, mode: 0o700 });
  const rid = '20261130T000000Z-aaaaaaaaaaaaaaaaaaaaaaaa';
  writeFileSync(
    join(pristine, 'journal', `${rid}.jsonl`),
    [
      { v: 1, type: 'begin', rotationId: rid, secret: 'anthropic', at: '2026-11-30T00:00:00Z', plan: { secret: 'anthropic', layer: 'provider-key', refs: ['openclaw/prod/anthropic'], targetIds: [], units: {}, filter: {} }, oldFingerprints: {}, newFingerprints: {} },
      { v: 1, type: 'phase', rotationId: rid, at: '2026-11-30T00:00:01Z', phase: 'stage' },
      { v: 1, type: 'end', rotationId: rid, at: '2026-11-30T00:00:02Z', outcome: 'rolled-back' },
    ]
      .map((l) => JSON.stringify(l))
      .join('\n') + '\n',
    { mode: 0o600 },
  );
  writeFileSync(join(pristine, 'locks', 'anthropic.lock'), JSON.stringify({ pid: 999999, host: hostname(), rotationId: rid, since: '2026-11-30T00:00:00Z', command: 'rotate' }), { mode: 0o600 });
  const targets = filesUnder(pristine).filter((f) => !f.endsWith('/key'));
  const rnd = prng(20261130);
  const mutate = (buf: Buffer): Buffer => {
    switch (Math.floor(rnd() * 6)) {
      case 0:
        return buf.subarray(0, Math.floor(rnd() * buf.length));
      case 1: {
        const b = Buffer.from(buf);
        for (let i = 0; i < 1 + Math.floor(rnd() * 8); i++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
        return b;
      }
      case 2:
        return Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 200) }, () => Math.floor(rnd() * 256)));
      case 3:
        return Buffer.from(['null', '[]', '{}', '42', '"x"', '{"ref":1}', '{"versions":"x"}', '{"type":"begin"}'][Math.floor(rnd() * 8)]! + '\n');
      case 4:
        return Buffer.alloc(0);
      default:
        return Buffer.concat([buf, Buffer.from('\n{"torn":')]);
    }
  };
  const commands = [['status', 'anthropic', '--skip-sources'], ['plan', 'anthropic', '--skip-sources'], ['put', 'anthropic', '--env', 'prod', '--stdin'], ['resume']];
  let cases = 0;
  const bugs: string[] = [];
  for (let i = 0; i < targets.length * commands.length * 3; i++) {
    const home = join(root, `case-${i}`);
    cpSync(pristine, home, { recursive: true });
    const victim = targets[i % targets.length]!.replace(pristine, home);
    const mode = statSync(victim).mode & 0o777;
    writeFileSync(victim, mutate(readFileSync(victim)), { mode });
    const cmd = commands[Math.floor(i / targets.length) % commands.length]!;
    const r = await run([...cmd, ...p], { ...env, REKEY_HOME: home }, 'sk-ant-fuzz-two-0000000000000000000000000002');
    cases++;
    if (r.code === 1 || /internal error|    at /.test(r.err)) bugs.push(`${victim.replace(home, '')} / ${cmd[0]}: exit ${r.code}: ${r.err.split('\n')[0]}`);
    rmSync(home, { recursive: true, force: true });
  }
  record({ suite: 'hostile input', measure: 'corrupt state files: runs / exit 1', value: `${cases}/${bugs.length}`, must: 'n/0' });
  expect(bugs).toEqual([]);
});
