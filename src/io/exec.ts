import { spawn } from 'node:child_process';
import { secretsOf } from '../core/child-output.js';
import { UsageError } from '../core/errors.js';
import type { Exec, ExecResult } from '../core/ports.js';

/** A command that cannot be started is configuration (the policy's `command:` or PATH), named with a hint: never a crash. */
function spawnError(cmd: string, e: NodeJS.ErrnoException): Error {
  if (e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'ENOTDIR') {
    return new UsageError('COMMAND_NOT_FOUND', `cannot run ${cmd}: ${e.code === 'EACCES' ? 'permission denied' : 'no such command'} (${e.code})`, {
      hint: cmd.includes('/')
        ? `check the path (the policy's command:, e.g. verify.command) and that it is executable`
        : `${cmd} is not on rekey's PATH: set command: to its absolute path in the policy (e.g. verify.command: [/usr/local/bin/openclaw]) or fix PATH`,
      details: { command: cmd, errno: e.code },
    });
  }
  return e;
}

const MAX_OUTPUT = 8 * 1024 * 1024;

/**
 * Run argv (never a shell). Secrets travel in `stdin` or `env`, never argv. Bounded by
 * `timeoutMs` and the AbortSignal (SIGTERM, then SIGKILL after 2 s).
 */
export function createExec(): Exec {
  return {
    run(argv, opts = {}) {
      return new Promise<ExecResult>((resolve, reject) => {
        const [cmd, ...args] = argv;
        if (!cmd) return reject(new Error('empty argv'));
        const child = spawn(cmd, args, {
          env: opts.env ?? process.env,
          cwd: opts.cwd,
          stdio: ['pipe', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        let timedOut = false;
        let killer: NodeJS.Timeout | undefined;
        const stop = () => {
          child.kill('SIGTERM');
          killer = setTimeout(() => child.kill('SIGKILL'), 2000);
        };
        const timer = opts.timeoutMs ? setTimeout(() => ((timedOut = true), stop()), opts.timeoutMs) : undefined;
        const onAbort = () => stop();
        opts.signal?.addEventListener('abort', onAbort, { once: true });
        child.stdout.on('data', (d: Buffer) => {
          if (stdout.length < MAX_OUTPUT) stdout += d.toString('utf8');
        });
        child.stderr.on('data', (d: Buffer) => {
          if (stderr.length < MAX_OUTPUT) stderr += d.toString('utf8');
        });
        child.stdin.on('error', () => {});
        child.stdin.end(opts.stdin ?? '');
        child.on('error', (e: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          opts.signal?.removeEventListener('abort', onAbort);
          reject(spawnError(cmd, e));
        });
        child.on('close', (code, sig) => {
          clearTimeout(timer);
          clearTimeout(killer);
          opts.signal?.removeEventListener('abort', onAbort);
          resolve({ code, signal: sig, stdout, stderr, timedOut, secrets: secretsOf((opts.env ?? process.env) as Record<string, string>, opts.stdin) });
        });
      });
    },
  };
}
