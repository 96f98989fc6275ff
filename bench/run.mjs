// rekey benchmarks: ratios in one run, never timed tests.
//  1. CLI cold start of `rekey plan` on a 50-agent policy, against bare `node` start-up.
//  2. A real 50-target rotation (50 systemd user units, the real openclaw verifier): the
//     orchestrator's own time against the time spent in systemd and openclaw.
//  3. Time to contain: `rekey revoke` of one credential held by all N consumers at parallelism P,
//     against its floor (the restarts + verifications it ran, divided by P).
// Needs root and scripts/install-test-tools.sh (like the integration tests).
// Usage: npm run bench [-- N [P]] [--contain-only] [--standin]
//   --contain-only: section 3 alone (N = 10, 50, 100 in docs/revoke.md)
//   --standin: the consumers are verified by the light openclaw stand-in (test/harness/openclaw-standin.mjs,
//     ~50 ms) instead of the real CLI (~3-8 s of CPU each): for large N, where the real CLI's cost
//     would be all there is to see
import { spawnSync } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

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
const cli = (args) => spawnSync(process.execPath, [join(dist, 'src/cli/main.js'), ...args, '--policy', policyFile], { env, encoding: 'utf8' });
if (cli(['init']).status !== 0) throw new Error('init failed');
const bare = [], plan = [];
const scaling = [];
if (!CONTAIN_ONLY) {
  for (let i = 0; i < 11; i++) {
    bare.push(time(() => spawnSync(process.execPath, ['-e', '0'])));
    plan.push(time(() => {
      const r = cli(['plan', 'anthropic', '--json', '--skip-sources']);
      if (r.status !== 0) throw new Error(r.stderr);
    }));
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
  `);
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
const timed = (obj, bucket) =>
  new Proxy(obj, {
    get(target, prop) {
      const v = target[prop];
      if (typeof v !== 'function') return v;
      return async (...args) => {
        const t = performance.now();
        try {
          return await v.apply(target, args);
        } finally {
          spent[bucket] += performance.now() - t;
          spent[`${bucket}Calls`]++;
        }
      };
    },
  });
const benchSignal = new AbortController().signal;
setMaxListeners(256, benchSignal); // as the CLI does (src/cli/main.ts)
const base = buildDeps({ policy, home: env.REKEY_HOME, env: { ...process.env, ...env }, log: silentLogger, signal: benchSignal });
const deps = { ...base, service: (k) => timed(base.service(k), 'service'), verifier: (k) => timed(base.verifier(k), 'verifier') };
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

await um.stop();
rmSync(root, { recursive: true, force: true, maxRetries: 5 });

const ms = (x) => `${x.toFixed(0)} ms`;
console.log(`rekey bench (node ${process.version}, ${N} agents/targets, verifier: ${flags.has('--standin') ? 'the light openclaw stand-in' : 'the real openclaw CLI'})`);
if (!CONTAIN_ONLY) {
  console.log(`cold start: rekey plan (${N}-agent policy) median ${ms(median(plan))}; bare node ${ms(median(bare))}; ratio ${(median(plan) / median(bare)).toFixed(2)}x`);
  for (const x of scaling) console.log(`plan scaling: ${x.targets} targets planned in ${ms(x.ms)} (goal ${x.targets <= 10000 ? '1000' : '10000'} ms), heap +${x.heapMB.toFixed(0)} MB`);
  console.log(`plan scaling ratio (100,000 vs 10,000 targets): ${(scaling[1].ms / scaling[0].ms).toFixed(1)}x (linear = 10x)`);
  console.log(`rotation of ${N} targets: total ${ms(total)}; systemd ${ms(rotation.service)} (${rotation.serviceCalls} calls), openclaw ${ms(rotation.verifier)} (${rotation.verifierCalls} calls)`);
  console.log(`orchestrator's own time ${ms(own)} = ${((own / external) * 100).toFixed(2)}% of the time in systemd + openclaw (ratio ${(own / external).toFixed(4)})`);
}
const floor = floorOne / PAR;
console.log(`time to contain (revoke of one credential held by ${N} consumers, --max-parallel ${PAR}): ${ms(contain)}; floor: its restarts + verifications (${contained.serviceCalls} systemd calls, ${contained.verifierCalls} verifications, ${ms(floorOne)}) / ${PAR} = ${ms(floor)}; ratio ${(contain / floor).toFixed(2)}x (goal 1.1x)${sequential !== null ? `; the same consumers rotated one at a time: ${ms(sequential)} (revoke / that: ${(contain / sequential).toFixed(2)}x)` : ''}`);
