/**
 * A real systemd user manager for integration tests. PID 1 here is not systemd, so the manager
 * runs inside a private mount namespace with a tmpfs on /run/systemd holding /run/systemd/system
 * (the "booted with systemd" marker); HOME and XDG_RUNTIME_DIR point into a temp dir. systemctl
 * from outside the namespace reaches it through $XDG_RUNTIME_DIR/systemd/private.
 * Needs root (CI has it). Never skipped: if it cannot start, the test fails.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface UserManager {
  home: string;
  runtimeDir: string;
  unitDir: string;
  env: Record<string, string>;
  systemctl(...args: string[]): { code: number | null; stdout: string; stderr: string };
  writeUnit(name: string, text: string): void;
  mainPid(unit: string): number;
  show(unit: string, prop: string): string;
  stop(): Promise<void>;
}

const CGROUP_HIERARCHIES = ['/sys/fs/cgroup/systemd', '/sys/fs/cgroup/unified'];

/** remove a manager's cgroup trees, deepest first (they are empty once its processes are gone) */
function removeCgroups(name: string): void {
  for (const h of [...CGROUP_HIERARCHIES, '/sys/fs/cgroup']) {
    const root = join(h, name);
    if (!existsSync(root)) continue;
    spawnSync('find', [root, '-depth', '-type', 'd', '-exec', 'rmdir', '{}', ';'], { stdio: 'ignore' });
  }
}

const SYSTEMD = ['/lib/systemd/systemd', '/usr/lib/systemd/systemd'].find(existsSync) ?? '/lib/systemd/systemd';

export async function startUserManager(root: string): Promise<UserManager> {
  const home = join(root, 'home');
  const runtimeDir = join(root, 'run');
  const unitDir = join(home, '.config', 'systemd', 'user');
  mkdirSync(unitDir, { recursive: true });
  mkdirSync(runtimeDir, { recursive: true, mode: 0o700 });
  const env: Record<string, string> = {
    HOME: home,
    XDG_RUNTIME_DIR: runtimeDir,
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'C.UTF-8',
  };
  if (process.getuid?.() !== 0) throw new Error('the systemd user manager harness needs root (unshare --mount)');
  // Its own cgroup in every hierarchy that systemd manages: two managers of the same uid in one
  // cgroup would treat each other's units as their own (and kill them when one exits).
  const cgroup = `rekey-test-${process.pid}-${Date.now()}`;
  const script = [
    `for h in ${CGROUP_HIERARCHIES.join(' ')}; do if [ -d "$h" ]; then mkdir -p "$h/${cgroup}" && echo $$ > "$h/${cgroup}/cgroup.procs"; fi; done`,
    'mkdir -p /run/systemd && mount -t tmpfs tmpfs /run/systemd && mkdir -p /run/systemd/system',
    `exec ${SYSTEMD} --user`,
  ].join(' && ');
  const child: ChildProcess = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], { env, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const sock = join(runtimeDir, 'systemd', 'private');
  for (let i = 0; i < 100 && !existsSync(sock); i++) {
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!existsSync(sock)) {
    child.kill('SIGKILL');
    throw new Error(`systemd --user did not start (exit ${child.exitCode}): ${stderr.slice(0, 2000)}`);
  }
  const systemctl = (...args: string[]) => {
    const r = spawnSync('systemctl', ['--user', ...args], { env, encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
  for (let i = 0; i < 50; i++) {
    const s = systemctl('is-system-running').stdout.trim();
    if (s === 'running' || s === 'degraded') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const show = (unit: string, prop: string) => systemctl('show', unit, '-p', prop, '--value').stdout.trim();
  return {
    home,
    runtimeDir,
    unitDir,
    env,
    systemctl,
    writeUnit(name, text) {
      writeFileSync(join(unitDir, name), text);
      const r = systemctl('daemon-reload');
      if (r.code !== 0) throw new Error(`daemon-reload failed: ${r.stderr}`);
    },
    mainPid: (unit) => Number(show(unit, 'MainPID')),
    show,
    async stop() {
      // the manager stops every unit and exits; then make sure nothing of it is left
      systemctl('exit');
      const exited = new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      await new Promise((r) => setTimeout(r, 100));
      removeCgroups(cgroup);
    },
  };
}

export function writeEnvFile(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
}
