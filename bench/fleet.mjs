// Fleet rollout wall time for 5, 20 and 50 simulated hosts, against its floor.
// Each host: its own REKEY_HOME and host name (REKEY_HOSTNAME), its own light user unit (sleep,
// reading its own env file) under one systemd user manager, verified by the openclaw stand-in;
// its agent is the real `rekey agent` CLI run in a loop with a 2 s pause (its timer). The backend
// is the loopback Vault (KV v2, check-and-set) through node-vault. The coordinator is the real
// `rekey rotate --fleet --max-parallel 10 --poll 250ms`.
// Floor = waves × (one host's delivering pass: deliver + restart + verify + acknowledge, the
// median measured in the same run) + the timer period. All hosts share this machine's two cores,
// so a pass under 50 hosts is slower than under 5: the floor uses the pass time measured at that size.
// Needs root and scripts/install-test-tools.sh. Usage: npm run bench:fleet [-- 5,20,50] [--json]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const args = process.argv.slice(2);
const sizes = (args.find((a) => /^\d+(,\d+)*$/.test(a)) ?? '5,20,50').split(',').map(Number);
const PER_WAVE = 10;
const PERIOD_MS = 2000;
const dist = new URL('../dist/', import.meta.url).pathname;
const bin = join(dist, 'src/cli/bin.js');
const { startUserManager } = await import(join(dist, 'test/harness/systemd-user.js'));
const { OPENCLAW_STANDIN } = await import(join(dist, 'test/harness/openclaw.js'));
const { startFakeVault } = await import(join(dist, 'test/harness/fake-vault.js'));
const { anthropicPolicy } = await import(join(dist, 'test/harness/light-policy.js'));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const run = (argv, env, input = '') =>
  new Promise((resolve) => {
    const c = spawn(process.execPath, [bin, ...argv], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.stdin.end(input);
    c.on('close', (code) => resolve({ code, stdout, stderr }));
  });

const root = mkdtempSync(join(tmpdir(), 'rekey-bench-fleet-'));
const um = await startUserManager(root);
const vault = await startFakeVault();
vault.addToken('hvs.bench');
const rows = [];
try {
  for (const N of sizes) {
    const dir = join(root, `n${N}`);
    const hosts = Array.from({ length: N }, (_, i) => `h${String(i + 1).padStart(2, '0')}`);
    const ref = `openclaw/bench${N}/anthropic`;
    const OLD = `sk-ant-old-${N}${'o'.repeat(40)}`;
    const NEW = `sk-ant-new-${N}${'n'.repeat(40)}`;
    for (const h of hosts) {
      mkdirSync(join(dir, h), { recursive: true });
      writeFileSync(join(dir, h, 'gw.env'), `ANTHROPIC_API_KEY=${OLD}\n`, { mode: 0o600 });
      um.writeUnit(`fleet-n${N}-${h}.service`, `[Unit]\nStartLimitIntervalSec=0\n[Service]\nEnvironmentFile=${join(dir, h, 'gw.env')}\nExecStart=/bin/sleep infinity\n`);
      um.systemctl('start', `fleet-n${N}-${h}.service`);
    }
    const policyFile = join(dir, 'policy.yaml');
    writeFileSync(
      policyFile,
      anthropicPolicy({
        backends: `v: { kind: vault, address: "${vault.address}", mount: secret }`,
        backend: 'v',
        ref,
        fleet: `{ prefix: rekey/bench${N} }`,
        services: `\n${hosts.map((h) => `  ${h}: { kind: systemd-user, unit: fleet-n${N}-${h}.service, settleMs: 100 }`).join('\n')}`,
        secretKeys: '    probe: off\n',
        deliveries: hosts.map((h) => `      - { host: ${h}, agent: main, env: prod, sink: { kind: systemd-env-file, path: "${join(dir, h, 'gw.env')}" }, service: ${h}, verify: { kind: openclaw-models-status, command: ${JSON.stringify(OPENCLAW_STANDIN)} } }`).join('\n'),
      }),
    );
    const envOf = (h) => ({ ...um.env, HOME: join(dir, h), REKEY_HOME: join(dir, h, 'rekey'), REKEY_HOSTNAME: h, VAULT_TOKEN: 'hvs.bench' });
    const ops = envOf('ops');
    mkdirSync(join(dir, 'ops'), { recursive: true });
    for (const e of [ops, ...hosts.map(envOf)]) if ((await run(['init', '--policy', policyFile], e)).code !== 0) throw new Error('init failed');
    vault.writeDirect('secret', ref, { value: OLD });
    if ((await run(['put', 'anthropic', '--env', 'prod', '--stdin', '--policy', policyFile], ops, NEW)).code !== 0) throw new Error('put failed');
    let stop = false;
    const delivering = [];
    const loops = hosts.map(async (h) => {
      while (!stop) {
        const t = performance.now();
        const r = await run(['agent', '--json', '--policy', policyFile], envOf(h));
        const ms = performance.now() - t;
        try {
          if (JSON.parse(r.stdout).items?.[0]?.action === 'delivered') delivering.push(ms);
        } catch {
          /* an error pass: counted by the coordinator's result */
        }
        if (!stop) await new Promise((res) => setTimeout(res, PERIOD_MS));
      }
    });
    const t0 = performance.now();
    const r = await run(['rotate', 'anthropic', '--fleet', '--max-parallel', String(PER_WAVE), '--poll', '250ms', '--wave-timeout', '15m', '--json', '--policy', policyFile], ops);
    const wall = performance.now() - t0;
    stop = true;
    await Promise.all(loops);
    if (r.code !== 0) throw new Error(`rollout of ${N} hosts failed (${r.code}): ${r.stdout.slice(0, 500)} ${r.stderr.slice(0, 500)}`);
    const waves = Math.ceil(N / PER_WAVE);
    const pass = median(delivering);
    const floor = waves * pass + PERIOD_MS;
    rows.push({ hosts: N, waves, wall: `${(wall / 1000).toFixed(1)} s`, pass: `${(pass / 1000).toFixed(2)} s`, floor: `${(floor / 1000).toFixed(1)} s`, ratio: `${(wall / floor).toFixed(2)}x` });
    process.stderr.write(`bench fleet: ${N} hosts done: ${JSON.stringify(rows.at(-1))}\n`);
    for (const h of hosts) um.systemctl('stop', `fleet-n${N}-${h}.service`);
  }
} finally {
  await vault.close();
  await um.stop();
  rmSync(root, { recursive: true, force: true });
}
const cols = ['hosts', 'waves', 'wall', 'pass', 'floor', 'ratio'];
const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
const line = (r) => `| ${cols.map((c, i) => String(r[c]).padEnd(width[i])).join(' | ')} |`;
console.log(`fleet rollout: waves of ${PER_WAVE} hosts, agent timer ${PERIOD_MS / 1000} s, floor = waves × (median delivering pass) + timer period`);
console.log(line(Object.fromEntries(cols.map((c) => [c, c]))));
console.log(`| ${width.map((w) => '-'.repeat(w)).join(' | ')} |`);
for (const r of rows) console.log(line(r));
if (args.includes('--json')) console.log(JSON.stringify(rows));
