import type { Target } from '../core/target.js';

/** Everything a credential touches. Names and paths only: never values. */
export interface BlastRadius {
  agents: string[];
  environments: string[];
  hosts: string[];
  units: string[];
  files: string[];
  keychainItems: string[];
  /** OpenClaw stored auth profiles, as <agent>/<profile id> */
  authProfiles: string[];
  backendRefs: string[];
}

const uniq = (xs: string[]) => [...new Set(xs)].sort();

/** The places a target's sink writes (files, keychain items, stored profiles), by sink kind. */
export function sinkTouches(t: Target): { files: string[]; keychainItems: string[]; profiles?: string[] } {
  switch (t.sink.kind) {
    case 'systemd-env-file':
    case 'openclaw-secretref-file':
      return { files: [t.sink.path], keychainItems: [] };
    case 'openclaw-auth-profile':
      // the profile lives in OpenClaw's state (SQLite), reached only through its CLI
      return { files: [], keychainItems: [], profiles: [`${t.sink.agent ?? t.agent}/${t.sink.profileId}`] };
    case 'openclaw-config-token':
      return { files: [t.sink.configPath ?? `${t.sink.stateDir ?? '~/.openclaw'}/openclaw.json`], keychainItems: [] };
    case 'keychain':
      return { files: [], keychainItems: [`${t.sink.service}/${t.envVar}`] };
  }
}

export function blastRadius(targets: Target[]): BlastRadius {
  const touches = targets.map(sinkTouches);
  return {
    agents: uniq(targets.map((t) => t.agent)),
    environments: uniq(targets.map((t) => t.env)),
    hosts: uniq(targets.map((t) => t.host)),
    units: uniq(targets.flatMap((t) => (t.service ? [t.service.unit] : []))),
    files: uniq(touches.flatMap((x) => x.files)),
    keychainItems: uniq(touches.flatMap((x) => x.keychainItems)),
    authProfiles: uniq(touches.flatMap((x) => x.profiles ?? [])),
    backendRefs: uniq(targets.map((t) => t.ref)),
  };
}
