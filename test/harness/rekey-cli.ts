/** Run the built rekey CLI (dist/) as a separate process, on the Node that runs the tests (20+). */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './openclaw.js';

export const REKEY_MAIN = join(REPO, 'dist', 'src', 'cli', 'main.js');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function rekeySync(args: string[], env: Record<string, string>, input?: string): CliRun {
  const r = spawnSync(process.execPath, [REKEY_MAIN, ...args], { env, input: input ?? '', encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

export function rekeyAsync(args: string[], env: Record<string, string>, input?: string): Promise<CliRun> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [REKEY_MAIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.stdin.on('error', () => {}); // the CLI may refuse and exit before reading all of it
    c.stdin.end(input ?? '');
    c.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
