/**
 * The demo: a real rotation on the embedded local backend, end to end, in a sandbox that touches
 * nothing of yours — a private systemd user manager, the real OpenClaw Gateway as its user unit,
 * and a loopback stand-in for the Anthropic API that records which key it receives.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { startGatewayFixture, UNIT } from '../test/harness/gateway-fixture.js';
import { REKEY_MAIN } from '../test/harness/rekey-cli.js';

const OLD = 'sk-ant-demo-old-7f3a9c2e4b1d8f6a0c5e9b3d7a2f4c8e';
const NEW = 'sk-ant-demo-new-2b8e5d1f9a4c7e3b6d0a8f2c5e9b1d4a';
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

function step(title: string) {
  process.stdout.write(`\n${bold(`== ${title}`)}\n`);
}

async function main() {
  step('sandbox: private systemd user manager, real OpenClaw Gateway unit, loopback Anthropic API');
  const f = await startGatewayFixture({ allow: [OLD, NEW] });
  // asynchronous: the loopback Anthropic API lives in this process and must answer rekey's probes
  const rekey = async (args: string[], input?: string) => {
    process.stdout.write(`$ rekey ${args.join(' ')}${input ? '   (value on stdin)' : ''}\n`);
    const child = spawn(process.execPath, [REKEY_MAIN, ...args, '--policy', f.policyFile], { env: f.env, stdio: ['pipe', 'inherit', 'inherit'] });
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    if (code !== 0) throw new Error(`rekey ${args[0]} exited ${code}`);
  };
  try {
    writeFileSync(f.envFile, `ANTHROPIC_API_KEY=${OLD}\n`, { mode: 0o600 });
    await f.installGateway();
    await f.waitGatewayReady();
    process.stdout.write(`gateway unit ${UNIT} pid ${f.um.mainPid(UNIT)}, reading ${f.envFile}\npolicy ${f.policyFile}\n`);

    step('adopt the key the Gateway runs with as the current version');
    await rekey(['put', 'anthropic', '--env', 'prod', '--stdin'], OLD);
    await rekey(['rotate', 'anthropic']);

    step('an admin minted a new key in the provider console: store it as pending');
    await rekey(['put', 'anthropic', '--env', 'prod', '--stdin'], NEW);

    step('plan: targets and blast radius, no side effects');
    await rekey(['plan', 'anthropic']);

    step('rotate: ask the provider → deliver → restart → verify with `openclaw models status` → promote');
    await rekey(['rotate', 'anthropic']);

    step('proof at the consumer: an agent turn through the Gateway');
    await f.waitGatewayReady();
    f.fake.deny(OLD);
    const before = f.fake.seenKeys.length;
    const turn = await f.agentTurn();
    const sent = f.fake.seenKeys.slice(before);
    const ok = turn.code === 0 && sent.length > 0 && sent.every((k) => k === NEW);
    process.stdout.write(`the Gateway sent ${sent.length} request(s), ${ok ? 'all with the NEW key (old key now refused upstream)' : 'NOT all with the new key'}\n`);

    step('status: versions and stages, fingerprints only');
    await rekey(['status', 'anthropic']);

    step('audit: the hash-chained trail of every run');
    await rekey(['audit', 'verify']);
    process.stdout.write(`\naudit log: ${f.env.REKEY_HOME}/audit.jsonl (last record's outcome: ${JSON.parse(readFileSync(`${f.env.REKEY_HOME}/audit.jsonl`, 'utf8').trim().split('\n').at(-1)!).outcome})\n`);
    if (!ok) process.exitCode = 1;
  } finally {
    await f.close();
  }
}

main().catch((e) => {
  process.stderr.write(`demo failed: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
