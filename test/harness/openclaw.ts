/**
 * The real openclaw CLI (installed by scripts/install-test-tools.sh under test/tools with the
 * Node 24 it needs) and helpers to lay out a throw-away OpenClaw home for it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** the repository root, from the source tree or from dist/ */
function findRepo(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || existsSync(join(dir, 'tsconfig.build.json')) === false) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the rekey repository root');
    dir = up;
  }
  return dir;
}
const repo = findRepo();

export const NODE24 = join(repo, 'test', 'tools', 'node24', 'node_modules', 'node', 'bin', 'node');
export const OPENCLAW_MJS = join(repo, 'test', 'tools', 'openclaw', 'node_modules', 'openclaw', 'openclaw.mjs');
/** argv prefix that runs the real CLI */
export const OPENCLAW = [NODE24, OPENCLAW_MJS];
/**
 * The light stand-in for the read-only `models status` / `models auth list` calls (see the file):
 * for suites whose subject is rekey's own machinery, not OpenClaw.
 */
export const OPENCLAW_STANDIN = [process.execPath, join(repo, 'test', 'harness', 'openclaw-standin.mjs')];
export const REPO = repo;

export function assertOpenclawInstalled(): void {
  if (!existsSync(NODE24) || !existsSync(OPENCLAW_MJS)) {
    throw new Error(`the real openclaw CLI is not installed (${OPENCLAW_MJS}): run scripts/install-test-tools.sh`);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

export interface OpenclawHomeOptions {
  home: string;
  providerUrl: string;
  gatewayPort: number;
  gatewayToken: string;
}

/** ~/.openclaw/openclaw.json: anthropic pointed at the loopback recording server, token auth. */
export function writeOpenclawConfig(o: OpenclawHomeOptions): string {
  const dir = join(o.home, '.openclaw');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const config = {
    agents: { defaults: { model: { primary: 'anthropic/claude-sonnet-4-5' } } },
    models: {
      providers: {
        anthropic: {
          baseUrl: o.providerUrl,
          api: 'anthropic-messages',
          models: [{ id: 'claude-sonnet-4-5', name: 'Fake', reasoning: false, input: ['text'], contextWindow: 200000, maxTokens: 1024 }],
        },
      },
    },
    // the Gateway's OpenAI-compatible HTTP surface (same agent run as `openclaw agent`): the tests'
    // agent turns go through it, a request instead of a CLI process (~5 s of CPU each)
    gateway: { mode: 'local', port: o.gatewayPort, bind: 'loopback', auth: { mode: 'token', token: o.gatewayToken }, http: { endpoints: { chatCompletions: { enabled: true } } } },
  };
  writeFileSync(join(dir, 'openclaw.json'), JSON.stringify(config, null, 2), { mode: 0o600 });
  return dir;
}

/** The Gateway as a user unit, the way `openclaw gateway install` lays it out (EnvironmentFile=). */
export function gatewayUnit(o: { home: string; port: number; extra?: string }): string {
  return `[Unit]
Description=OpenClaw Gateway (test)

[Service]
Environment=HOME=${o.home} PATH=${dirname(NODE24)}:/usr/bin:/bin OPENCLAW_NO_RESPAWN=1
EnvironmentFile=-${o.home}/.openclaw/gateway.systemd.env
${o.extra ?? ''}
ExecStart=${NODE24} ${OPENCLAW_MJS} gateway run --port ${o.port} --bind loopback
Restart=no
`;
}

/**
 * A light stand-in unit with the Gateway's environment layout (same EnvironmentFile=), for
 * scenarios that need a real restart and the real `openclaw models status` but not a serving
 * Gateway (it is a CLI-local view of the unit's environment). `extra` adds [Service] lines.
 */
export function lightUnit(o: { home: string; extra?: string }): string {
  return `[Unit]
# the crash matrices restart it many times a minute: no start rate limit
StartLimitIntervalSec=0

[Service]
Environment=HOME=${o.home}
EnvironmentFile=-${o.home}/.openclaw/gateway.systemd.env
${o.extra ?? ''}
ExecStart=/bin/sleep infinity
`;
}

export function runOpenclaw(args: string[], env: Record<string, string>, input?: string) {
  const r = spawnSync(NODE24, [OPENCLAW_MJS, ...args], { env: { PATH: `${dirname(NODE24)}:/usr/bin:/bin`, ...env }, input, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Async: use this whenever the command talks to a server living in the test process. */
export function runOpenclawAsync(args: string[], env: Record<string, string>, input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(NODE24, [OPENCLAW_MJS, ...args], { env: { PATH: `${dirname(NODE24)}:/usr/bin:/bin`, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.stdin.end(input ?? '');
    const t = setTimeout(() => c.kill('SIGKILL'), 120_000);
    c.on('close', (code) => (clearTimeout(t), resolve({ code, stdout, stderr })));
  });
}
