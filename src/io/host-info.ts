/** The HostInfo port (core/ports.ts) on Linux and macOS: lstat, /proc start times, PATH lookups. */
import { constants, promises as fs } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import type { HostInfo } from '../core/ports.js';

/** USER_HZ: 100 on every Linux architecture Node runs on */
const CLOCK_TICKS = 100;

/** how long a process has been running (from /proc/<pid>/stat's start time and /proc/uptime), or null */
export async function processUptimeMs(pid: number, proc = '/proc'): Promise<number | null> {
  try {
    const stat = await fs.readFile(`${proc}/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: fields after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTicks = Number(fields[19]); // field 22: starttime, in clock ticks since boot
    const uptime = Number((await fs.readFile(`${proc}/uptime`, 'utf8')).split(' ')[0]);
    if (!Number.isFinite(startTicks) || !Number.isFinite(uptime)) return null;
    return Math.max(0, uptime * 1000 - (startTicks / CLOCK_TICKS) * 1000);
  } catch {
    return null;
  }
}

export function createHostInfo(o: { now: () => number; ownerUid: (owner: number | string | undefined) => number }): HostInfo {
  return {
    uid: process.getuid?.() ?? 0,
    async stat(path) {
      try {
        const st = await fs.lstat(path);
        return { mode: st.mode & 0o7777, uid: st.uid, mtimeMs: st.mtimeMs, symlink: st.isSymbolicLink() };
      } catch {
        return null;
      }
    },
    async processStartMs(pid) {
      const up = await processUptimeMs(pid);
      return up === null ? null : o.now() - up;
    },
    async which(name, searchPath) {
      for (const dir of searchPath.split(delimiter)) {
        if (!dir || !isAbsolute(dir)) continue;
        const p = join(dir, name);
        try {
          await fs.access(p, constants.X_OK);
          if ((await fs.stat(p)).isFile()) return await fs.realpath(p);
        } catch {
          /* next */
        }
      }
      return null;
    },
    realpath: (p) => fs.realpath(p).catch(() => p),
    ownerUid: o.ownerUid,
  };
}
