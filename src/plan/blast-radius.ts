import type { Target } from '../core/target.js';

/** Everything a credential touches. Names and paths only: never values. */
export interface BlastRadius {
  agents: string[];
  environments: string[];
  hosts: string[];
  units: string[];
  files: string[];
  keychainItems: string[];
  backendRefs: string[];
}

const uniq = (xs: string[]) => [...new Set(xs)].sort();

/** The places a target's sink writes (files, keychain items), by sink kind. */
export function sinkTouches(t: Target): { files: string[]; keychainItems: string[] } {
  switch (t.sink.kind) {
    case 'systemd-env-file':
    case 'openclaw-secretref-file':
      return { files: [t.sink.path], keychainItems: [] };
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
    backendRefs: uniq(targets.map((t) => t.ref)),
  };
}
