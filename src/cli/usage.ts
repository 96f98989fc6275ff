/**
 * The version and the nearest command to a mistyped one (help texts come from each command's
 * descriptor). Light imports only, so `rekey --help` and `rekey --version` load no adapter.
 */
import { COMMANDS } from './commands/index.js';

export { COMMANDS };

export { commandHelp, commandWords } from './args.js';

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length]![b.length]!;
}

/** the known command closest to a mistyped one, if any is close enough to be a typo */
export function nearestCommand(typed: string): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const name of COMMANDS.keys()) {
    const d = Math.min(distance(typed, name), distance(typed, name.split(' ').at(-1)!) + 0.5);
    if (d < bestD) {
      bestD = d;
      best = name;
    }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(typed.length / 3)) ? best : null;
}

export { version } from './version.js';
