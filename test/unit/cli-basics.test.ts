/**
 * The CLI's basics: `--version`, per-command `--help` (usage, options, an example), the nearest
 * command for a typo, and `--help` / `--version` answered without loading any adapter or SDK.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { COMMANDS, commandHelp, commandWords, nearestCommand } from '../../src/cli/usage.js';
import { HELP } from '../../src/cli/args.js';
import { REPO } from '../harness/openclaw.js';

const BIN = join(REPO, 'dist', 'src', 'cli', 'bin.js');
const run = (args: string[], pre: string[] = []) => spawnSync(process.execPath, [...pre, BIN, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent' } });

describe('CLI basics', () => {
  test('--version prints the package version', () => {
    const r = run(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(`rekey ${JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version}`);
  });

  test('<command> --help prints that command\'s usage, options and an example; every command has one', () => {
    for (const name of COMMANDS.keys()) {
      const text = commandHelp(name)!;
      expect(text).toMatch(new RegExp(`^Usage: rekey ${name}`));
      expect(text).toMatch(/\nExample:\n  .*rekey /);
    }
    const r = run(['rotate', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: rekey rotate <secret>/);
    expect(r.stdout).toMatch(/--take-over-pending/);
    const g = run(['--policy', 'x.yaml', 'openclaw', 'adopt', 'a', '-h']);
    expect(g.stdout).toMatch(/^Usage: rekey openclaw adopt/);
    expect(commandWords(['--home', 'status', 'plan', 'x'])).toEqual(['plan']);
  });

  test('--help answers from help.json (built with dist): the same texts as the commands give, and no command module loaded', () => {
    for (const args of [['--help'], ['rotate', '--help'], ['--policy', 'x.yaml', 'openclaw', 'adopt', 'a', '-h'], ['agent', 'render', 'systemd', '--help'], ['agent', '--help'], ['nosuch', '--help']]) {
      const r = run(args, ['--import', join(REPO, 'test', 'harness', 'trace-imports.mjs')]);
      expect(r.status).toBe(0);
      const words = commandWords(args).join(' ');
      expect(r.stdout, args.join(' ')).toBe(commandHelp(words) ?? HELP);
      const loaded = r.stderr.split('\n').filter((l) => l.startsWith('IMPORT ')).map((l) => l.replace(/^IMPORT file:\/\/.*?\/dist\//, ''));
      expect(loaded.filter((m) => /commands\/|args\.js|usage\.js/.test(m)), args.join(' ')).toEqual([]);
    }
  });

  test('--help and --version load no adapter, SDK or the CLI body', () => {
    for (const args of [['--help'], ['rotate', '--help'], ['--version']]) {
      const r = run(args, ['--import', join(REPO, 'test', 'harness', 'trace-imports.mjs')]);
      expect(r.status).toBe(0);
      const loaded = r.stderr.split('\n').filter((l) => l.startsWith('IMPORT ')).map((l) => l.replace(/^IMPORT file:\/\/.*?\/dist\//, ''));
      expect(loaded.length).toBeGreaterThan(0);
      expect(loaded.filter((m) => /main\.js|providers\/|node_modules|deps\.js/.test(m))).toEqual([]);
    }
  });

  test('an unknown command suggests the nearest one (exit 2); nothing close, no guess', () => {
    expect(nearestCommand('rotat')).toBe('rotate');
    expect(nearestCommand('stauts')).toBe('status');
    expect(nearestCommand('openclaw adpot')).toBe('openclaw adopt');
    expect(nearestCommand('frobnicate')).toBeNull();
    const r = run(['rotat', 'anthropic']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown command "rotat": did you mean `rekey rotate`\?/);
  });

  test('ci render: a good binding prints the role and policy (--json); a wildcard subject exits 2 and prints nothing on stdout', () => {
    const good = run(['ci', 'render', 'vault-role', '--runner', 'gha-deploy', '--repo', 'acme/api', '--environment', 'prod', '--json']);
    expect(good.status, good.stderr).toBe(0);
    const r = JSON.parse(good.stdout);
    expect(r.role).toMatchObject({ bound_subject: 'repo:acme/api:environment:prod', bound_audiences: ['https://github.com/acme'], token_ttl: '15m' });
    expect(r.policy).toBe('# rekey ci: runner gha-deploy reads its own leases, nothing else\npath "secret/data/rekey/ci/gha-deploy/*" {\n  capabilities = ["read"]\n}\npath "secret/metadata/rekey/ci/gha-deploy/*" {\n  capabilities = ["read"]\n}\n');
    const bad = run(['ci', 'render', 'aws-trust', '--runner', 'r1', '--repo', 'acme/api', '--ref', 'refs/heads/*', '--account', '123456789012', '--region', 'eu-west-1']);
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^rekey: --ref: "refs\/heads\/\*" has a wildcard/);
  });
});
