/**
 * One OpenClaw deployment for integration tests: a real systemd user manager, the real Gateway as
 * the user unit `openclaw-gateway.service` reading `~/.openclaw/gateway.systemd.env`, and its
 * anthropic provider pointed at the loopback recording server.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeAnthropic, type FakeAnthropic } from './fake-anthropic.js';
import { assertOpenclawInstalled, freePort, gatewayUnit, lightUnit, OPENCLAW, writeOpenclawConfig } from './openclaw.js';
import { startUserManager, type UserManager } from './systemd-user.js';
import { rekeySync } from './rekey-cli.js';

export const UNIT = 'openclaw-gateway.service';

/**
 * [Service] lines for a unit that puts a key back behind rekey's back: at every start, unless the
 * env file holds `ANTHROPIC_API_KEY=<value>`, a later `EnvironmentFile=` is (re)created with that
 * line (think of a config-management run). Pre-flight sees no shadow (there is none while the old
 * key is in place), so a rotation gets as far as verification, which fails; the rollback restores
 * the old key and the shadow goes away again. The value stays in a 0600 file, never in argv.
 */
export function revertingShadowLines(dir: string, envFile: string, value: string): string {
  const line = join(dir, 'revert-to.env');
  const shadow = join(dir, 'reverted.env');
  writeFileSync(line, `ANTHROPIC_API_KEY=${value}\n`, { mode: 0o600 });
  rmSync(shadow, { force: true });
  return [`EnvironmentFile=-${shadow}`, `ExecStartPre=/bin/sh -c 'if grep -qxF -f ${line} ${envFile}; then rm -f ${shadow}; else cp ${line} ${shadow}; fi'`].join('\n');
}

export interface GatewayFixture {
  root: string;
  um: UserManager;
  fake: FakeAnthropic;
  home: string;
  envFile: string;
  rekeyHome: string;
  policyFile: string;
  gatewayPort: number;
  gatewayToken: string;
  /** env for the rekey CLI */
  env: Record<string, string>;
  /** the policy: local backend by default; `backend` replaces its YAML, `ref` the secret's ref */
  writePolicy(opts?: { backend?: string; ref?: string; verifyCommand?: string[] }): void;
  /** (re)write the unit, optionally with extra [Service] lines, and start it */
  installGateway(extra?: string): Promise<void>;
  /**
   * Write the env file and restart the unit, so the running consumer holds what the file says
   * (rekey verifies the process's real environment, not the file).
   */
  resetEnvFile(text: string): void;
  /** the light stand-in unit (same env layout, /bin/sleep) */
  installLightUnit(extra?: string): Promise<void>;
  waitGatewayReady(timeoutMs?: number): Promise<void>;
  /** one agent turn through the Gateway; returns the CLI's result */
  agentTurn(): Promise<{ code: number | null; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

/**
 * One agent turn of agent main through the running Gateway: `POST /v1/chat/completions` (the
 * Gateway runs it as it runs `openclaw agent`: same routing, auth and provider call). code 0 = HTTP
 * 200 with a completion; stdout = the response body.
 */
export async function gatewayTurn(port: number, token: string, agent = 'main'): Promise<{ code: number | null; stdout: string; stderr: string }> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: `openclaw:${agent}`, messages: [{ role: 'user', content: 'ping' }] }),
      signal: AbortSignal.timeout(180_000),
    });
    const body = await r.text();
    let ok = false;
    try {
      ok = r.status === 200 && Array.isArray((JSON.parse(body) as { choices?: unknown }).choices);
    } catch {
      ok = false;
    }
    return { code: ok ? 0 : 1, stdout: body, stderr: ok ? '' : `HTTP ${r.status}` };
  } catch (e) {
    return { code: null, stdout: '', stderr: (e as Error).message };
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), res(true)));
    s.once('error', () => res(false));
  });
}

/**
 * `verifyCommand`: the argv prefix of the openclaw CLI the policy's verifier runs; the real CLI by
 * default, OPENCLAW_STANDIN for suites about rekey's own machinery (crash matrices, leaks).
 */
export async function startGatewayFixture(opts: { allow: string[]; settleMs?: number; verifyCommand?: string[] }): Promise<GatewayFixture> {
  assertOpenclawInstalled();
  const root = mkdtempSync(join(tmpdir(), 'rekey-it-'));
  const um = await startUserManager(root);
  const fake = await startFakeAnthropic({ allow: opts.allow });
  const home = um.home;
  const gatewayPort = await freePort();
  const gatewayToken = `tok-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  writeOpenclawConfig({ home, providerUrl: fake.url, gatewayPort, gatewayToken });
  const envFile = join(home, '.openclaw', 'gateway.systemd.env');
  const rekeyHome = join(root, 'rekey');
  const policyFile = join(root, 'policy.yaml');
  const env = { HOME: home, REKEY_HOME: rekeyHome, XDG_RUNTIME_DIR: um.runtimeDir, PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };
  mkdirSync(rekeyHome, { recursive: true, mode: 0o700 });

  const f: GatewayFixture = {
    root,
    um,
    fake,
    home,
    envFile,
    rekeyHome,
    policyFile,
    gatewayPort,
    gatewayToken,
    env,
    writePolicy(o = {}) {
      writeFileSync(
        policyFile,
        `version: 1
environments: { prod: {} }
agents: { main: {} }
backends: { local: ${o.backend ?? '{ kind: local }'} }
services:
  gateway: { kind: systemd-user, unit: ${UNIT}, settleMs: ${opts.settleMs ?? 1000}, startTimeoutMs: 30000 }
secrets:
  anthropic:
    layer: provider-key
    provider: anthropic
    envVar: ANTHROPIC_API_KEY
    backend: local
    ref: ${o.ref ?? 'openclaw/{env}/anthropic'}
    maxAge: 90d
    deliveries:
      - agent: main
        env: prod
        sink: { kind: systemd-env-file, path: ${envFile} }
        service: gateway
        verify: { kind: openclaw-models-status, command: ${JSON.stringify(o.verifyCommand ?? opts.verifyCommand ?? OPENCLAW)}, timeoutMs: 240000 }
`,
      );
    },
    async installGateway(extra) {
      um.writeUnit(UNIT, gatewayUnit({ home, port: gatewayPort, ...(extra ? { extra } : {}) }));
      const r = um.systemctl('restart', UNIT);
      if (r.code !== 0) throw new Error(`cannot start the gateway unit: ${r.stderr}`);
    },
    resetEnvFile(text) {
      writeFileSync(envFile, text, { mode: 0o600 });
      if (um.show(UNIT, 'LoadState') !== 'loaded') return;
      const r = um.systemctl('restart', UNIT);
      if (r.code !== 0) throw new Error(`cannot restart the unit: ${r.stderr}`);
    },
    async installLightUnit(extra) {
      um.writeUnit(UNIT, lightUnit({ home, ...(extra ? { extra } : {}) }));
      const r = um.systemctl('restart', UNIT);
      if (r.code !== 0) throw new Error(`cannot start the unit: ${r.stderr}`);
    },
    async waitGatewayReady(timeoutMs = 180_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (await portOpen(gatewayPort)) return;
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`gateway did not listen on ${gatewayPort} within ${timeoutMs} ms: ${um.systemctl('status', UNIT).stdout}`);
    },
    agentTurn() {
      return gatewayTurn(gatewayPort, gatewayToken);
    },
    async close() {
      await um.stop();
      await fake.close();
      rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    },
  };
  f.writePolicy();
  const init = rekeySync(['init', '--policy', policyFile], env);
  if (init.code !== 0) throw new Error(`rekey init failed: ${init.stderr}`);
  return f;
}
