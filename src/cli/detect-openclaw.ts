/**
 * `rekey init`: the openclaw CLI the Gateway unit really runs, from its ExecStart= (systemd --user),
 * so the starter policy's verifier runs that one (OpenClaw needs Node ≥ 24.16; the `openclaw` on
 * rekey's PATH may be another install, or none). The argv prefix before the word `gateway`; through
 * `rekey exec … -- cmd`, the words after `--`.
 */
import { createSystemdUserService } from '../../providers/services/systemd-user.js';
import { createExec } from '../io/exec.js';
import { systemClock } from '../io/system-clock.js';

export function openclawPrefix(argv: string[]): string[] | null {
  const dd = argv.indexOf('--');
  const words = dd >= 0 ? argv.slice(dd + 1) : argv;
  const g = words.indexOf('gateway');
  return g > 0 ? words.slice(0, g) : null;
}

export async function detectOpenclawCommand(unit: string, env: NodeJS.ProcessEnv): Promise<string[] | null> {
  const pass: Record<string, string> = {};
  for (const k of ['HOME', 'PATH', 'XDG_RUNTIME_DIR', 'DBUS_SESSION_BUS_ADDRESS', 'LANG']) if (env[k]) pass[k] = env[k]!;
  const svc = createSystemdUserService({ exec: createExec(), clock: systemClock, env: pass });
  try {
    return openclawPrefix(await svc.startCommand(unit, AbortSignal.timeout(5_000)));
  } catch {
    return null;
  }
}
