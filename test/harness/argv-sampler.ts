/** Samples every process's argv (/proc/PID/cmdline for every PID) while a run goes on, to prove a secret never sits in argv. */
import { readdirSync, readFileSync } from 'node:fs';

export function startArgvSampler(needles: string[], everyMs = 20) {
  const hits: string[] = [];
  let samples = 0;
  const tick = () => {
    samples++;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let cmd: string;
      try {
        cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      for (const n of needles) if (cmd.includes(n)) hits.push(`${pid}: ${cmd.replaceAll('\0', ' ').slice(0, 200)}`);
    }
  };
  const t = setInterval(tick, everyMs);
  return {
    stop() {
      clearInterval(t);
      tick();
      return { hits, samples };
    },
  };
}
