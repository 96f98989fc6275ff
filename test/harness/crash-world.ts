/**
 * The deployment both crash matrices start every case from: OLD delivered and current, NEW put
 * as pending. Prepared once in a template rekey home, copied per case (much faster than redoing it).
 */
import { chmodSync, cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './gateway-fixture.js';
import { OPENCLAW_STANDIN } from './openclaw.js';
import { rekeyAsync } from './rekey-cli.js';

export const OLD = 'sk-ant-old-0000000000000000000000000000000000aaaa';
export const NEW = 'sk-ant-new-1111111111111111111111111111111111bbbb';
export const ENV_OLD = `# ops\nOPENCLAW_LOG_LEVEL=info\nANTHROPIC_API_KEY=${OLD}\n`;
export const ENV_NEW = `# ops\nOPENCLAW_LOG_LEVEL=info\nANTHROPIC_API_KEY=${NEW}\n`;

/**
 * One Gateway fixture for a test file, on the light stand-in unit (the crash matrices and the
 * concurrency races need a consumer that restarts fast, not the Gateway itself); the provider
 * accepts every key (rekey's pre- and post-delivery probes ask it).
 */
export function lightFixture(): () => GatewayFixture {
  let f: GatewayFixture;
  beforeAll(async () => {
    f = await startGatewayFixture({ allow: [], settleMs: 200, verifyCommand: OPENCLAW_STANDIN });
    f.fake.acceptWhen(() => true);
    await f.installLightUnit();
  });
  afterAll(async () => {
    await f?.close();
  });
  return () => f;
}

export function crashWorld(fixture: () => GatewayFixture) {
  let n = 0;
  let template = '';
  const cli = (args: string[], input?: string, extra: Record<string, string> = {}) => {
    const f = fixture();
    return rekeyAsync([...args, '--policy', f.policyFile], { ...f.env, ...extra }, input);
  };
  const setup = async () => {
    const f = fixture();
    const home = join(f.root, `rekey-${++n}`);
    if (!template) {
      f.env.REKEY_HOME = template = join(f.root, 'rekey-template');
      expect((await cli(['init'])).code).toBe(0);
      f.resetEnvFile(ENV_OLD);
      expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], OLD)).code).toBe(0);
      expect((await cli(['rotate', 'anthropic'])).code).toBe(0);
      expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], NEW)).code).toBe(0);
    }
    cpSync(template, home, { recursive: true, preserveTimestamps: true });
    // Node 24's cpSync creates directories with the default mode: rekey refuses a state dir others can read
    copyModes(template, home);
    f.env.REKEY_HOME = home;
    f.resetEnvFile(ENV_OLD);
  };
  /** the lines of the newest journal file */
  const journal = () => {
    const dir = join(fixture().env.REKEY_HOME!, 'journal');
    return readFileSync(join(dir, readdirSync(dir).sort().at(-1)!), 'utf8').trim().split('\n');
  };
  return { cli, setup, journal };
}

/** every directory and file under `to` gets the mode of its counterpart under `from` */
function copyModes(from: string, to: string): void {
  chmodSync(to, statSync(from).mode & 0o7777);
  for (const e of readdirSync(from, { withFileTypes: true })) {
    if (e.isDirectory()) copyModes(join(from, e.name), join(to, e.name));
    else if (e.isFile()) chmodSync(join(to, e.name), statSync(join(from, e.name)).mode & 0o7777);
  }
}
