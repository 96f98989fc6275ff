/**
 * rekey's own state: a lost or different store key must never lose data (refused, exit 4, with the
 * restore hint; init never makes a key next to a store), and corrupt state files are named errors
 * with their documented exit codes, never exit 1. The real CLI, a throwaway REKEY_HOME.
 */
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { anthropicPolicy, lightPolicy } from '../harness/light-policy.js';
import { rekeyAsync } from '../harness/rekey-cli.js';

const REASON = 'state safety only, never rotated';
const POLICY = lightPolicy({ envFile: '/tmp/rekey-state-never-written.env', reason: REASON });

const ONE = 'sk-ant-state-one-000000000000000000000000000001';
const TWO = 'sk-ant-state-two-000000000000000000000000000002';

async function setup() {
  const root = mkdtempSync(join(tmpdir(), 'rekey-state-'));
  const policy = join(root, 'policy.yaml');
  writeFileSync(policy, POLICY);
  const home = join(root, 'rekey');
  const env: Record<string, string> = { HOME: root, REKEY_HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };
  const cli = (args: string[], input?: string, extra: Record<string, string> = {}) => rekeyAsync([...args, '--policy', policy], { ...env, ...extra }, input);
  expect((await cli(['init'])).code).toBe(0);
  return { root, home, cli };
}
const versions = async (cli: Awaited<ReturnType<typeof setup>>['cli']) => JSON.parse((await cli(['status', 'anthropic', '--json', '--skip-sources'])).stdout).secrets[0].refs[0].versions;

describe('the store key', () => {
  test('the key file is lost: status, put and init refuse (exit 4) with the restore hint; init makes no key; restoring it brings everything back', async () => {
    const { home, cli } = await setup();
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], ONE)).code).toBe(0);
    const keyId = readFileSync(join(home, 'store', 'key-id'), 'utf8').trim();
    expect(keyId).toMatch(/^[0-9a-f]{16}$/);
    renameSync(join(home, 'key'), join(home, 'key.backup'));
    for (const args of [['status', 'anthropic', '--skip-sources'], ['put', 'anthropic', '--env', 'prod', '--stdin']]) {
      const r = await cli(args, TWO);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(4);
      expect(r.stderr).toMatch(/STORE_KEY_MISSING|key that sealed the store .* is missing/);
      expect(r.stderr).toMatch(/restore the key file .*from your backup/);
    }
    const init = await cli(['init']);
    expect(init.code, init.stderr).toBe(4);
    expect(init.stderr).toMatch(/init will not make a new key next to it/);
    expect(existsSync(join(home, 'key'))).toBe(false);
    renameSync(join(home, 'key.backup'), join(home, 'key'));
    expect((await versions(cli)).map((v: { fingerprint: string }) => v.fingerprint)).toHaveLength(1);
  });

  test('a different key (REKEY_LOCAL_KEY, or a new key file): refused with both key ids, nothing sealed next to the old values', async () => {
    const { home, cli } = await setup();
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], ONE)).code).toBe(0);
    const before = readdirSync(join(home, 'store', 'secrets')).map((f) => readFileSync(join(home, 'store', 'secrets', f), 'utf8'));
    const other = Buffer.alloc(32, 7).toString('base64');
    const st = await cli(['status', 'anthropic', '--skip-sources'], undefined, { REKEY_LOCAL_KEY: other });
    expect(st.code, st.stderr).toBe(4);
    expect(st.stderr).toMatch(/sealed with key [0-9a-f]{16}.*key in use is [0-9a-f]{16}|sealed with key [0-9a-f]{16}, not the key in use/);
    const put = await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], TWO, { REKEY_LOCAL_KEY: other });
    expect(put.code, put.stderr).toBe(4);
    const after = readdirSync(join(home, 'store', 'secrets')).map((f) => readFileSync(join(home, 'store', 'secrets', f), 'utf8'));
    expect(after).toEqual(before);
  });
});

describe('corrupt state files are named errors, never exit 1', () => {
  const corruptions: [string, (home: string) => void, number][] = [
    ['a truncated store file', (h) => { const d = join(h, 'store', 'secrets'); const f = join(d, readdirSync(d)[0]!); writeFileSync(f, readFileSync(f, 'utf8').slice(0, 40)); }, 4],
    ['a store file of the wrong shape', (h) => { const d = join(h, 'store', 'secrets'); writeFileSync(join(d, readdirSync(d)[0]!), '[1,2,3]\n'); }, 4],
    ['a store file that is JSON null', (h) => { const d = join(h, 'store', 'secrets'); writeFileSync(join(d, readdirSync(d)[0]!), 'null\n'); }, 4],
    ['a key file that is not a key', (h) => writeFileSync(join(h, 'key'), 'not base64 at all!!\n', { mode: 0o600 }), 2],
    ['a journal line damaged in the middle', (h) => { writeFileSync(join(h, 'journal', '20261130T000000Z-aaaaaaaaaaaaaaaaaaaaaaaa.jsonl'), '{"v":1,"type":"begin","rotationId":"20261130T000000Z-aaaaaaaaaaaaaaaaaaaaaaaa","secret":"anthropic"\n{"v":1,"type":"end"}\n'); }, 0],
    ['an audit log of garbage', (h) => writeFileSync(join(h, 'audit.jsonl'), '\u0000\u0001garbage\n{"half":\n', { mode: 0o600 }), 0],
    ['a lock file of garbage', (h) => writeFileSync(join(h, 'locks', 'anthropic.lock'), '{{{{', { mode: 0o600 }), 0],
  ];
  test.each(corruptions)('%s', async (_label, corrupt, code) => {
    const { home, cli } = await setup();
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], ONE)).code).toBe(0);
    for (const d of ['journal', 'locks']) if (!existsSync(join(home, d))) mkdirSync(join(home, d), { recursive: true, mode: 0o700 });
    corrupt(home);
    for (const args of [['status', 'anthropic', '--skip-sources'], ['plan', 'anthropic', '--skip-sources']]) {
      const r = await cli(args);
      expect(r.code, `${args[0]}: ${r.stderr}`).not.toBe(1);
      expect(r.stderr).not.toMatch(/internal error|SyntaxError|TypeError|    at /);
      if (args[0] === 'status') expect(r.code, r.stderr).toBe(code);
    }
  });
});

describe('REKEY_HOME is checked like a sink file', () => {
  test('init --home on an existing shared directory (1777) or a symlink is refused (exit 3) and its mode is left alone', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rekey-home-'));
    const shared = join(root, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    const policy = join(root, 'policy.yaml');
    writeFileSync(policy, POLICY);
    const env = { HOME: root, PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };
    let r = await rekeyAsync(['init', '--home', shared, '--policy', policy], env);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/has mode 1777/);
    expect(statSync(shared).mode & 0o7777).toBe(0o1777);
    const real = join(root, 'real');
    mkdirSync(real, { mode: 0o700 });
    symlinkSync(real, join(root, 'link'));
    r = await rekeyAsync(['init', '--home', join(root, 'link'), '--policy', policy], env);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/is a symlink/);
    // a directory init creates itself is made private
    r = await rekeyAsync(['init', '--home', join(root, 'fresh', 'state'), '--policy', policy], env);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(join(root, 'fresh', 'state')).mode & 0o777).toBe(0o700);
  });

  test.each([
    ['a 0777 store directory', (h: string) => chmodSync(join(h, 'store'), 0o777), /STATE_TOO_OPEN|has mode 0777/],
    ['a 0755 state directory', (h: string) => chmodSync(h, 0o755), /has mode 0755/],
    ['a key file owned by another user', (h: string) => chownSync(join(h, 'key'), 65534, 65534), /belongs to uid 65534/],
    ['a foreign 0644 audit log', (h: string) => { writeFileSync(join(h, 'audit.jsonl'), '', { mode: 0o644 }); chmodSync(join(h, 'audit.jsonl'), 0o644); chownSync(join(h, 'audit.jsonl'), 65534, 65534); }, /audit log .* belongs to uid 65534/],
  ])('after init, %s is refused on every run (exit 3)', async (_label, spoil, words) => {
    if (process.getuid?.() !== 0 && /owned|foreign/.test(String(_label))) return; // chown needs root
    const { home, cli } = await setup();
    spoil(home);
    const r = await cli(['status', 'anthropic', '--skip-sources']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(words);
  });
});

describe('configuration errors are named, never exit 1', () => {
  test('the verifier\'s openclaw is not on PATH: rotate --dry-run and rotate end exit 2 naming the command and the policy key, nothing written', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rekey-nocmd-'));
    const policy = join(root, 'policy.yaml');
    const file = join(root, 'secrets.json');
    writeFileSync(
      policy,
      anthropicPolicy({ secretKeys: '    probe: off\n', deliveries: `      - { agent: main, env: prod, sink: { kind: openclaw-secretref-file, path: "${file}", pointer: /providers/anthropic/apiKey, command: [openclaw-not-installed] }, service: null, verify: { kind: openclaw-secrets-audit, command: [openclaw-not-installed] } }` }),
    );
    const env = { HOME: root, REKEY_HOME: join(root, 'rekey'), PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };
    const cli = (args: string[], input?: string) => rekeyAsync([...args, '--policy', policy], env, input);
    expect((await cli(['init'])).code).toBe(0);
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], ONE)).code).toBe(0);
    for (const args of [['rotate', 'anthropic', '--dry-run'], ['rotate', 'anthropic']]) {
      const r = await cli(args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/cannot run openclaw-not-installed: no such command \(ENOENT\)/);
      expect(r.stderr).toMatch(/hint: .*verify\.command/);
      expect(r.stderr).not.toMatch(/    at |internal error/);
    }
    expect(existsSync(file)).toBe(false);
  });
});

describe('live files wider than 0600', () => {
  test('plan and status warn about a delivered file others can read; none once it is 0600', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rekey-wide-'));
    const envFile = join(root, 'gateway.env');
    writeFileSync(envFile, `ANTHROPIC_API_KEY=${ONE}\n`);
    chmodSync(envFile, 0o644);
    const policy = join(root, 'policy.yaml');
    writeFileSync(policy, lightPolicy({ envFile, reason: REASON }));
    const env = { HOME: root, REKEY_HOME: join(root, 'rekey'), PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };
    const cli = (args: string[]) => rekeyAsync([...args, '--policy', policy], env);
    expect((await cli(['init'])).code).toBe(0);
    for (const args of [['plan', 'anthropic', '--skip-sources'], ['status', 'anthropic', '--skip-sources']]) {
      const r = await cli(args);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`WARNING: ${envFile} has mode 0644, wider than 0600`);
    }
    const j = JSON.parse((await cli(['plan', 'anthropic', '--skip-sources', '--json'])).stdout);
    expect(j.wideFiles).toEqual([{ file: envFile, mode: '0644' }]);
    chmodSync(envFile, 0o600);
    expect((await cli(['plan', 'anthropic', '--skip-sources'])).stdout).not.toMatch(/WARNING/);
  });
});

describe('the one-owner rule on disk', () => {
  test('two secrets writing one variable of one file through a symlinked directory: plan and rotate refuse (exit 2), naming both paths', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rekey-owner-'));
    mkdirSync(join(root, 'real'));
    symlinkSync(join(root, 'real'), join(root, 'alias'));
    const two = lightPolicy({
      envFile: join(root, 'real', 'gw.env'),
      reason: REASON,
      secrets: `  second:
    layer: provider-key
    provider: anthropic
    envVar: ANTHROPIC_API_KEY
    backend: local
    ref: openclaw/{env}/second
    deliveries:
      - { agent: main, env: prod, sink: { kind: systemd-env-file, path: "${join(root, 'alias', 'gw.env')}" }, service: gateway, verify: { kind: none, reason: 'never rotated' } }
`,
    });
    const policy = join(root, 'policy.yaml');
    writeFileSync(policy, two);
    const env = { HOME: root, REKEY_HOME: join(root, 'rekey'), PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };
    const cli = (args: string[]) => rekeyAsync([...args, '--policy', policy], env);
    expect((await cli(['policy', 'check'])).code).toBe(0); // the spelled paths differ
    expect((await cli(['init'])).code).toBe(0);
    for (const args of [['plan', 'anthropic', '--skip-sources'], ['rotate', 'anthropic', '--dry-run']]) {
      const r = await cli(args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`are the same file on this host (${join(root, 'real', 'gw.env')})`);
      expect(r.stderr).toMatch(/ANTHROPIC_API_KEY would get two values/);
    }
  });
});

describe('rekey audit verify | show', () => {
  test('verify: intact after runs (exit 0); an edited record is named (exit 4) and status warns; show filters by secret, outcome and fingerprint', async () => {
    const { home, cli } = await setup();
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], ONE)).code).toBe(0);
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], TWO)).code).toBe(0);
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin', 'extra'], TWO)).code).toBe(2); // refused: audited too
    let v = await cli(['audit', 'verify']);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/chain intact, \d+ record\(s\)/);
    const shown = JSON.parse((await cli(['audit', 'show', 'anthropic', '--outcome', 'stored', '--json'])).stdout).records;
    expect(shown).toHaveLength(2);
    const two = shown[1].newFingerprints['openclaw/prod/anthropic'] as string;
    const byFp = JSON.parse((await cli(['audit', 'show', '--fingerprint', two.split('#')[1]!, '--json'])).stdout).records;
    expect(byFp.map((r: { rotationId: string }) => r.rotationId)).toEqual([shown[1].rotationId]);
    expect((await cli(['audit', 'show'])).stdout).toMatch(/put +anthropic +stored +exit 0/);
    const exported = (await cli(['audit', 'export', 'anthropic', '--outcome', 'stored'])).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(exported.map((r: { seq: number }) => r.seq)).toEqual(shown.map((r: { seq: number }) => r.seq));
    // in CI the actor names the runner and the job
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], ONE, { GITHUB_ACTIONS: 'true', RUNNER_NAME: 'runner-7', GITHUB_RUN_ID: '4242', GITHUB_REPOSITORY: 'org/repo' })).code).toBe(0);
    const last = JSON.parse((await cli(['audit', 'export'])).stdout.trim().split('\n').at(-1)!);
    expect(last.actor.ci).toBe('github-actions runner runner-7 run 4242/1 org/repo');
    // someone rewrites history: the first put becomes "refused"
    const file = join(home, 'audit.jsonl');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const at = lines.findIndex((l) => l.includes('"outcome":"stored"'));
    lines[at] = lines[at]!.replace('"outcome":"stored"', '"outcome":"refused"');
    writeFileSync(file, lines.join('\n') + '\n');
    v = await cli(['audit', 'verify']);
    expect(v.code).toBe(4);
    expect(v.stdout).toMatch(new RegExp(`CHAIN BROKEN at line ${at + 1} \\(record ${at + 1}\\): the record was changed after it was written`));
    expect((await cli(['status', 'anthropic', '--skip-sources'])).stdout).toMatch(/WARNING: the audit log's hash chain is broken at line/);
  });
});
