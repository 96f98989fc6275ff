/**
 * Several OpenClaw hosts on this machine, for fleet rotation: each its own host name
 * (REKEY_HOSTNAME), home, REKEY_HOME and systemd user manager (a GatewayFixture). `real` hosts run
 * the real Gateway and verify with the real openclaw CLI; `light` hosts run the light unit and the
 * stand-in. One policy file, shared as policy-as-code is, names each host's delivery. Agents are
 * the real `rekey agent` CLI, run in a loop per host as a timer would.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGatewayFixture, UNIT, type GatewayFixture } from './gateway-fixture.js';
import { anthropicPolicy } from './light-policy.js';
import { OPENCLAW, OPENCLAW_STANDIN } from './openclaw.js';
import { rekeyAsync, rekeySync, type CliRun } from './rekey-cli.js';

export interface FleetHost {
  name: string;
  real: boolean;
  f: GatewayFixture;
  env: Record<string, string>;
  /** what the unit's env file holds for ANTHROPIC_API_KEY */
  held(): string | null;
}

export interface Fleet {
  root: string;
  policyFile: string;
  hosts: FleetHost[];
  host(name: string): FleetHost;
  /** the coordinator's environment (host name `ops`, its own REKEY_HOME) */
  ops: Record<string, string>;
  /** backend credentials for every process */
  credentials: Record<string, string>;
  writePolicy(o: { backend: string; ref: string; hosts?: string[]; prefix?: string }): void;
  cli(who: 'ops' | string, args: string[], input?: string): Promise<CliRun>;
  /** every host's agent every `periodMs` until stopped; `skip` hosts are offline */
  agents(opts?: { periodMs?: number; skip?: string[] }): { stop(): Promise<void>; runs: Map<string, CliRun[]> };
  /** every agent loop still running (a failed test's), stopped */
  stopAgents(): Promise<void>;
  close(): Promise<void>;
}

export async function startFleet(o: { real: string[]; light: string[] }): Promise<Fleet> {
  const root = mkdtempSync(join(tmpdir(), 'rekey-fleet-'));
  const policyFile = join(root, 'policy.yaml');
  const credentials: Record<string, string> = {};
  const hosts: FleetHost[] = [];
  const running = new Set<() => Promise<void>>();
  const make = async (name: string, real: boolean) => {
    const f = await startGatewayFixture({ allow: [], settleMs: real ? 1000 : 200, verifyCommand: real ? OPENCLAW : OPENCLAW_STANDIN });
    f.fake.acceptWhen(() => true);
    const h: FleetHost = {
      name,
      real,
      f,
      get env() {
        return { ...f.env, REKEY_HOSTNAME: name, ...credentials };
      },
      held() {
        try {
          return /^ANTHROPIC_API_KEY=(.*)$/m.exec(readFileSync(f.envFile, 'utf8'))?.[1] ?? null;
        } catch {
          return null;
        }
      },
    };
    hosts.push(h);
  };
  // one at a time: each start is CPU-heavy (a real Gateway ~20 s of CPU)
  for (const n of o.real) await make(n, true);
  for (const n of o.light) await make(n, false);
  const opsHome = join(root, 'ops');
  mkdirSync(opsHome, { recursive: true, mode: 0o700 });
  const ops = () => ({ HOME: opsHome, REKEY_HOME: join(opsHome, 'rekey'), REKEY_HOSTNAME: 'ops', PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', ...credentials });
  const fleet: Fleet = {
    root,
    policyFile,
    hosts,
    host: (n) => hosts.find((h) => h.name === n)!,
    get ops() {
      return ops();
    },
    credentials,
    writePolicy({ backend, ref, hosts: only, prefix }) {
      const deliveries = hosts
        .filter((h) => !only || only.includes(h.name))
        .map(
          (h) => `      - host: ${h.name}
        agent: main
        env: prod
        sink: { kind: systemd-env-file, path: ${h.f.envFile} }
        service: gateway
        verify: { kind: openclaw-models-status, command: ${JSON.stringify(h.real ? OPENCLAW : OPENCLAW_STANDIN)}, timeoutMs: 240000 }`,
        )
        .join('\n');
      writeFileSync(
        policyFile,
        anthropicPolicy({
          backends: `shared: ${backend}`,
          backend: 'shared',
          ref,
          ...(prefix ? { fleet: `{ prefix: ${prefix} }` } : {}),
          services: `{ gateway: { kind: systemd-user, unit: ${UNIT}, settleMs: 200, startTimeoutMs: 60000 } }`,
          secretKeys: '    probe: off\n',
          deliveries,
        }),
      );
      for (const env of [ops(), ...hosts.map((h) => h.env)]) {
        const r = rekeySync(['init', '--policy', policyFile], env);
        if (r.code !== 0) throw new Error(`rekey init failed: ${r.stderr}`);
      }
    },
    cli(who, args, input) {
      const env = who === 'ops' ? ops() : fleet.host(who).env;
      return rekeyAsync([...args, '--policy', policyFile], env, input);
    },
    agents({ periodMs = 500, skip = [] } = {}) {
      let stopped = false;
      const runs = new Map<string, CliRun[]>();
      const loops = hosts
        .filter((h) => !skip.includes(h.name))
        .map(async (h) => {
          runs.set(h.name, []);
          while (!stopped) {
            const r = await fleet.cli(h.name, ['agent', '--json']);
            runs.get(h.name)!.push(r);
            if (!stopped) await new Promise((res) => setTimeout(res, periodMs));
          }
        });
      const stop = async () => {
        stopped = true;
        await Promise.all(loops);
        running.delete(stop);
      };
      running.add(stop);
      return { runs, stop };
    },
    async stopAgents() {
      await Promise.all([...running].map((stop) => stop()));
    },
    async close() {
      // agents a failed test left running stop first; every host is closed even if one fails
      await fleet.stopAgents();
      const r = await Promise.allSettled(hosts.map((h) => h.f.close()));
      rmSync(root, { recursive: true, force: true });
      const failed = r.filter((x) => x.status === 'rejected');
      if (failed.length) throw new Error(`closing ${failed.length} host(s) failed: ${failed.map((x) => String((x as PromiseRejectedResult).reason)).join('; ')}`);
    },
  };
  return fleet;
}
