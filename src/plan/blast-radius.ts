import type { AdapterCatalog, Touches } from '../core/adapters.js';
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

/** The places a target's sink writes (files, keychain items, stored profiles), as its adapter says. */
export function sinkTouches(t: Target, adapters: AdapterCatalog): Touches {
  return adapters.sink(t.sink.kind).touches(t.sink, t);
}

/** every unit behind `targets`, with the env files delivered to it (none: the unit serves other sinks) */
export function unitsAndFiles(targets: Target[], adapters: AdapterCatalog): Map<string, { service: NonNullable<Target['service']>; files: Set<string> }> {
  const byUnit = new Map<string, { service: NonNullable<Target['service']>; files: Set<string> }>();
  for (const t of targets) {
    if (!t.service) continue;
    const u = byUnit.get(t.service.unit) ?? { service: t.service, files: new Set<string>() };
    if (adapters.sink(t.sink.kind).reads(t.sink) === 'env-file') sinkTouches(t, adapters).files.forEach((f) => u.files.add(f));
    byUnit.set(t.service.unit, u);
  }
  return byUnit;
}

export function blastRadius(targets: Target[], adapters: AdapterCatalog): BlastRadius {
  const touches = targets.map((t) => sinkTouches(t, adapters));
  return {
    agents: uniq(targets.map((t) => t.agent)),
    environments: uniq(targets.map((t) => t.env)),
    hosts: uniq(targets.map((t) => t.host)),
    units: uniq(targets.flatMap((t) => (t.service ? [t.service.unit] : []))),
    files: uniq(touches.flatMap((x) => x.files)),
    keychainItems: uniq(touches.flatMap((x) => x.keychainItems)),
    authProfiles: uniq(touches.flatMap((x) => x.profiles)),
    backendRefs: uniq(targets.map((t) => t.ref)),
  };
}
