// rekey benchmarks: ratios in one run, never timed tests.
//  1. CLI cold start of `rekey plan` on a 50-agent policy, against bare `node` start-up.
//  2. A real 50-target rotation (50 systemd user units, the real openclaw verifier): the
//     orchestrator's own time against the time spent in systemd and openclaw.
//  3. Time to contain: `rekey revoke` of one credential held by all N consumers at parallelism P,
//     against its floor (the restarts + verifications it ran, divided by P).
// Needs root and scripts/install-test-tools.sh (like the integration tests).
// Usage: npm run bench [-- N [P]] [--contain-only] [--standin] [--trace]
//   --contain-only: section 3 alone (N = 10, 50, 100 in docs/revoke.md)
//   --standin: the consumers are verified by the light openclaw stand-in (test/harness/openclaw-standin.mjs,
//     ~50 ms) instead of the real CLI (~3-8 s of CPU each): for large N, where the real CLI's cost
//     would be all there is to see
//   --trace: where the revoke's time went (bench/trace.mjs), on stderr
import { spawnSync } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { traceAll, traceReport, traced } from './trace.mjs';

const flags = new Set(process.argv.slice(2).filter((a) => a.startsWith('--')));
const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const N = Number(positional[0] ?? 50);
const CONTAIN_ONLY = flags.has('--contain-only');
const dist = new URL('../dist/', import.meta.url).pathname;
const { startUserManager } = await import(join(dist, 'test/harness/systemd-user.js'));
const oc = await import(join(dist, 'test/harness/openclaw.js'));
const { writeOpenclawConfig, assertOpenclawInstalled } = oc;
const OPENCLAW = flags.has('--standin') ? oc.OPENCLAW_STANDIN : oc.OPENCLAW;
const { buildDeps } = await import(join(dist, 'src/cli/deps.js'));
const { parsePolicy, catalog } = await import(join(dist, 'providers/registry.js'));
const { rotate } = await import(join(dist, 'src/usecases/rotate.js'));
const { put } = await import(join(dist, 'src/usecases/put.js'));
const { SecretValue } = await import(join(dist, 'src/core/secret-value.js'));
const { silentLogger } = await import(join(dist, 'src/core/logger.js'));
assertOpenclawInstalled();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (fn) => {
  const t = performance.now();
  fn();
  return performance.now() - t;
};
const root = mkdtempSync(join(tmpdir(), 'rekey-bench-'));
const agents = Array.from({ length: N }, (_, i) => `a${String(i).padStart(2, '0')}`);
const policyText = (home) => `version: 1
environments: { prod: {} }
agents: { ${agents.map((a) => `${a}: {}`).join(', ')} }
backends: { local: { kind: local } }
services:
  gw: { kind: systemd-user, unit: "agent-{agent}.service", settleMs: 100 }
secrets:
  anthropic:
    layer: provider-key
    provider: anthropic
    envVar: ANTHROPIC_API_KEY
    # no provider here: the bench measures rekey, systemd and the openclaw CLI
    probe: off
    backend: local
    ref: openclaw/{env}/{agent}/anthropic
    deliveries:
      - agent: [${agents.join(', ')}]
        env: prod
        sink: { kind: systemd-env-file, path: "${home}/agents/{agent}.env" }
        service: gw
        verify: { kind: openclaw-models-status, command: ${JSON.stringify(OPENCLAW)}, agent: main }
`;

// 1. cold start
const um = await startUserManager(root);
const home = um.home;
const policyFile = join(root, 'policy.yaml');
writeFileSync(policyFile, policyText(home));
const env = { ...um.env, REKEY_HOME: join(root, 'rekey') };
const cli = (args) => spawnSync(process.execPath, [join(dist, 'src/cli/bin.js'), ...args, '--policy', policyFile], { env, encoding: 'utf8' });
if (cli(['init']).status !== 0) throw new Error('init failed');
const bare = [], plan = [], help = [], version = [];
const scaling = [];
if (!CONTAIN_ONLY) {
  for (let i = 0; i < 11; i++) {
    bare.push(time(() => spawnSync(process.execPath, ['-e', '0'])));
    plan.push(time(() => {
      const r = cli(['plan', 'anthropic', '--json', '--skip-sources']);
      if (r.status !== 0) throw new Error(r.stderr);
    }));
    help.push(time(() => spawnSync(process.execPath, [join(dist, 'src/cli/bin.js'), '--help'], { env, encoding: 'utf8' })));
    version.push(time(() => spawnSync(process.execPath, [join(dist, 'src/cli/bin.js'), '--version'], { env, encoding: 'utf8' })));
  }

  process.stderr.write('bench: cold start done\n');
  // 1b. plan scaling: 10,000 and 100,000 targets (agents x environments), planning time and heap
  const { planRotation } = await import(join(dist, 'src/plan/planner.js'));
  for (const [A, E] of [[100, 100], [1000, 100]]) {
    const as = Array.from({ length: A }, (_, i) => `a${i}`);
    const es = Array.from({ length: E }, (_, i) => `e${i}`);
    const p = parsePolicy(`version: 1
  environments: { ${es.map((e) => `${e}: {}`).join(', ')} }
  agents: { ${as.map((a) => `${a}: {}`).join(', ')} }
  backends: { local: { kind: local } }
  services: { gw: { kind: systemd-user, unit: "agent-{env}-{agent}.service" } }
  secrets:
    anthropic:
      layer: provider-key
      provider: anthropic
      envVar: ANTHROPIC_API_KEY
      # no provider here: the bench measures rekey, systemd and the openclaw CLI
      probe: off
      backend: local
      ref: openclaw/{env}/{agent}/anthropic
      deliveries:
        - { agent: [${as.join(', ')}], env: [${es.join(', ')}], sink: { kind: systemd-env-file, path: "/srv/{env}/{agent}.env" }, service: gw, verify: { kind: openclaw-models-status } }
  `.replace(/^  /gm, '')); // the template is indented with the code around it
    const heap0 = process.memoryUsage().heapUsed;
    const ms = time(() => planRotation(p, 'anthropic', {}, { hostname: 'h', home: '/root', adapters: catalog }));
    scaling.push({ targets: A * E, ms, heapMB: (process.memoryUsage().heapUsed - heap0) / 1e6 });
  }

  process.stderr.write(`bench: plan scaling done (${scaling.map((x) => `${x.targets}: ${x.ms.toFixed(0)} ms`).join(', ')})\n`);
}
// 2. a real N-target rotation
writeOpenclawConfig({ home, providerUrl: 'http://127.0.0.1:9', gatewayPort: 1, gatewayToken: 'x'.repeat(40) });
mkdirSync(join(home, 'agents'), { recursive: true, mode: 0o700 });
const key = (tag, a) => `sk-ant-${tag}-${a}-${'k'.repeat(32)}`;
for (const a of agents) {
  writeFileSync(join(home, 'agents', `${a}.env`), `ANTHROPIC_API_KEY=${key('old', a)}\n`, { mode: 0o600 });
  writeFileSync(join(um.unitDir, `agent-${a}.service`), `[Service]\nEnvironment=HOME=${home}\nEnvironmentFile=${home}/agents/${a}.env\nExecStart=/bin/sleep infinity\n`);
}
um.systemctl('daemon-reload');
um.systemctl('start', ...agents.map((a) => `agent-${a}.service`));

const policy = parsePolicy(policyText(home));
const spent = { service: 0, verifier: 0, serviceCalls: 0, verifierCalls: 0 };
const events = [];
const timed = (obj, bucket) =>
  traced(obj, bucket, events, (port, ms) => {
    spent[port] += ms;
    spent[`${port}Calls`]++;
  });
const benchSignal = new AbortController().signal;
setMaxListeners(256, benchSignal); // as the CLI does (src/cli/main.ts)
const base = buildDeps({ policy, home: env.REKEY_HOME, env: { ...process.env, ...env }, log: silentLogger, signal: benchSignal });
const timedDeps = { ...base, service: (k) => timed(base.service(k), 'service'), verifier: (k) => timed(base.verifier(k), 'verifier') };
const deps = flags.has('--trace') ? traceAll(timedDeps, base, events) : timedDeps;
// adopt the old keys as current, then put new ones
let r;
let total = 0, external = 0, own = 0;
const rotation = { ...spent };
if (!CONTAIN_ONLY) {
  for (const a of agents) await put(policy, 'anthropic', { agent: a }, SecretValue.of(key('old', a)), deps);
  r = await rotate(policy, 'anthropic', {}, { dryRun: false }, deps);
  if (r.outcome !== 'promoted') throw new Error(`adoption: ${r.message}`);
  for (const a of agents) await put(policy, 'anthropic', { agent: a }, SecretValue.of(key('new', a)), deps);
  Object.assign(spent, { service: 0, verifier: 0, serviceCalls: 0, verifierCalls: 0 });
  const t0 = performance.now();
  r = await rotate(policy, 'anthropic', {}, { dryRun: false }, deps);
  total = performance.now() - t0;
  if (r.outcome !== 'promoted') throw new Error(`rotation: ${r.message}`);
  external = spent.service + spent.verifier;
  own = total - external;
  Object.assign(rotation, spent);
}

process.stderr.write('bench: rotation done\n');
// 3. time to contain: one leaked credential used by all N consumers, `rekey revoke` at the default
// parallelism, against the floor: the restarts + verifications of a one-at-a-time rotation of the
// same consumers, divided by the parallelism
const { revoke, REVOKE_PARALLEL } = await import(join(dist, 'src/usecases/revoke.js'));
const PAR = Number(positional[1] ?? REVOKE_PARALLEL);
const shared = parsePolicy(policyText(home).replace('ref: openclaw/{env}/{agent}/anthropic', 'ref: openclaw/{env}/shared/anthropic'));
await put(shared, 'anthropic', {}, SecretValue.of(key('shared1', 'all')), deps);
r = await rotate(shared, 'anthropic', {}, { dryRun: false, maxParallel: PAR }, deps);
if (r.outcome !== 'promoted') throw new Error(`shared adoption: ${r.message}`);
let sequential = null;
if (!CONTAIN_ONLY) {
  await put(shared, 'anthropic', {}, SecretValue.of(key('shared2', 'all')), deps);
  const t2 = performance.now();
  r = await rotate(shared, 'anthropic', {}, { dryRun: false, maxParallel: 1 }, deps);
  sequential = performance.now() - t2;
  if (r.outcome !== 'promoted') throw new Error(`shared rotation: ${r.message}`);
}
await put(shared, 'anthropic', {}, SecretValue.of(key('shared3', 'all')), deps);
Object.assign(spent, { service: 0, verifier: 0, serviceCalls: 0, verifierCalls: 0 });
const t1 = performance.now();
const rv = await revoke(shared, 'anthropic', {}, { retireFirst: false, dryRun: false, scrub: false, maxParallel: PAR }, deps);
const contain = performance.now() - t1;
if (rv.rotation?.outcome !== 'promoted') throw new Error(`revoke: ${rv.message}`);
// the floor: every restart and verification the revoke ran (baselines included), as if P ran side by side with no gap
const floorOne = spent.service + spent.verifier;
const contained = { ...spent };
if (flags.has('--trace')) process.stderr.write(traceReport(events, t1, t1 + contain, PAR));

await um.stop();
rmSync(root, { recursive: true, force: true, maxRetries: 5 });

const ms = (x) => `${x.toFixed(0)} ms`;
// one table: figure, value, goal, ratio (value / goal's reference), met
const rows = [];
const row = (figure, value, goal, ratio, met) => rows.push({ figure, value, goal, ratio: ratio === null ? '' : `${ratio.toFixed(2)}x`, met: met ? 'yes' : 'NO' });
if (!CONTAIN_ONLY) {
  const nodeMs = median(bare);
  row(`cold start: rekey plan, ${N}-agent policy`, `${ms(median(plan))} (bare node ${ms(nodeMs)})`, '<= 1.5x bare node', median(plan) / nodeMs, median(plan) / nodeMs <= 1.5);
  row('cold start: rekey --help', ms(median(help)), '<= 1.2x bare node', median(help) / nodeMs, median(help) / nodeMs <= 1.2);
  row('cold start: rekey --version', ms(median(version)), '<= 1.2x bare node', median(version) / nodeMs, median(version) / nodeMs <= 1.2);
  for (const x of scaling) {
    const goal = x.targets <= 10000 ? 1000 : 10000;
    row(`plan scaling: ${x.targets} targets`, `${ms(x.ms)}, heap +${x.heapMB.toFixed(0)} MB`, `<= ${goal} ms`, x.ms / goal, x.ms <= goal);
  }
  const lin = scaling[1].ms / scaling[0].ms;
  row('plan scaling: 100,000 vs 10,000 targets', `${lin.toFixed(1)}x`, 'linear (<= 10x)', lin / 10, lin <= 10);
  // the floor of a one-at-a-time rotation (rotate's default --max-parallel 1): its restarts + verifications
  const rotFloor = rotation.service + rotation.verifier;
  row(`rotation of ${N} targets (--max-parallel 1)`, `${ms(total)} (${rotation.serviceCalls} systemd calls, ${rotation.verifierCalls} verifications)`, '<= 1.1x floor (restarts + verifications)', total / rotFloor, total / rotFloor <= 1.1);
  row("rotation: rekey's own time", `${ms(own)} = ${((own / external) * 100).toFixed(2)}% of systemd + openclaw`, '', null, true);
}
const floor = floorOne / PAR;
row(
  `time to contain: revoke, ${N} consumers, --max-parallel ${PAR}`,
  `${ms(contain)} (${contained.serviceCalls} systemd calls, ${contained.verifierCalls} verifications${sequential !== null ? `; one at a time: ${ms(sequential)}` : ''})`,
  `<= 1.1x floor (${ms(floorOne)} / ${PAR} = ${ms(floor)})`,
  contain / floor,
  contain / floor <= 1.1,
);
console.log(`rekey bench (node ${process.version}, ${N} agents/targets, verifier: ${flags.has('--standin') ? 'the light openclaw stand-in' : 'the real openclaw CLI'})`);
const cols = ['figure', 'value', 'goal', 'ratio', 'met'];
const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
const line = (r) => `| ${cols.map((c, i) => String(r[c]).padEnd(width[i])).join(' | ')} |`;
console.log(line(Object.fromEntries(cols.map((c) => [c, c]))));
console.log(`|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
if (flags.has('--json')) console.log(JSON.stringify(rows));
