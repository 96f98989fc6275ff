/**
 * A real Secret Service for tests: gnome-keyring-daemon (secrets component) on a private D-Bus
 * session started by dbus-run-session, with HOME and XDG dirs in a temp dir and the login keyring
 * created and unlocked from stdin (`gnome-keyring-daemon --unlock`). `env` is what a client needs
 * (DBUS_SESSION_BUS_ADDRESS). Never skipped: if it cannot start, the test fails.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SecretService {
  env: { DBUS_SESSION_BUS_ADDRESS: string };
  root: string;
  stop(): Promise<void>;
}

export async function startSecretService(): Promise<SecretService> {
  const root = mkdtempSync(join(tmpdir(), 'rekey-keyring-'));
  const home = join(root, 'home');
  const run = join(root, 'run');
  mkdirSync(home, { recursive: true });
  mkdirSync(run, { recursive: true, mode: 0o700 });
  // the unlock password is the test keyring's, not a product secret; it goes in on stdin
  const script = 'printf %s test-keyring-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null && echo "BUS=$DBUS_SESSION_BUS_ADDRESS" && exec sleep infinity';
  const child = spawn('dbus-run-session', ['--', 'sh', '-c', script], {
    env: { HOME: home, XDG_DATA_HOME: join(home, '.local', 'share'), XDG_RUNTIME_DIR: run, PATH: process.env.PATH ?? '/usr/bin:/bin' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const address = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`Secret Service did not start within 20 s: ${err}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /BUS=(\S+)/.exec(out);
      if (m) (clearTimeout(t), resolve(m[1]!));
    });
    child.on('exit', (code) => (clearTimeout(t), reject(new Error(`dbus-run-session exited ${code}: ${err}`))));
  });
  return {
    env: { DBUS_SESSION_BUS_ADDRESS: address },
    root,
    async stop() {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* already gone */
      }
      await new Promise((r) => setTimeout(r, 200));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
