import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where rekey keeps its own state (journal, locks, audit, snapshots, key, default store). */
export function rekeyHome(explicit: string | undefined, env: NodeJS.ProcessEnv): string {
  if (explicit) return explicit;
  if (env.REKEY_HOME) return env.REKEY_HOME;
  const state = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(state, 'rekey');
}

export function statePaths(home: string) {
  return {
    home,
    key: join(home, 'key'),
    store: join(home, 'store'),
    journal: join(home, 'journal'),
    locks: join(home, 'locks'),
    snapshots: join(home, 'snapshots'),
    audit: join(home, 'audit.jsonl'),
    retirements: join(home, 'retirements.jsonl'),
  };
}
