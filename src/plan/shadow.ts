import type { Target } from '../core/target.js';
import type { SourceObservation } from '../core/openclaw.js';
import type { AdapterCatalog } from '../core/adapters.js';

export type { SourceObservation };

export interface CredentialSource {
  /** profile | process-env | rekey-exec | dot-env | env-vars | config-apikey */
  kind: string;
  where: string;
  /** rekey's delivery for this target writes exactly here */
  owned: boolean;
  wins: boolean;
}

export interface ShadowReport {
  target: string;
  sources: CredentialSource[];
  winner: string | null;
  deliveredWins: boolean;
  reason?: string;
  notes?: string[];
}

/** Where this target's delivery lands, in the same words as the sources (its sink adapter says). */
function deliveredSource(t: Target, obs: SourceObservation, adapters: AdapterCatalog): { kind: string; where: string } | null {
  const d = adapters.sink(t.sink.kind).source(t.sink, t);
  if (!d) return null;
  // the config's apiKey: only the observation knows the config's path
  if (d.kind === 'config-apikey') return { kind: d.kind, where: d.where ?? obs.configApiKey.path };
  // an env file that is OpenClaw's own <stateDir>/.env is read by OpenClaw, not by the unit
  if (d.kind === 'process-env' && d.where === obs.dotEnv.path) return { kind: 'dot-env', where: obs.dotEnv.path };
  return { kind: d.kind, where: d.where ?? '' };
}

/**
 * Which place OpenClaw takes the provider key from, highest first (openclaw.md, checked with
 * 2026.9.6): a stored profile (the agent's own, else main's) → the process environment (the last
 * setter wins: `rekey exec`, then later `EnvironmentFile=`s) → <stateDir>/.env → `env.vars` →
 * `models.providers.<P>.apiKey` in the config. The delivered place counts as present (it will be
 * after the write), so a first delivery is judged too.
 */
export function shadowReport(t: Target, obs: SourceObservation, adapters: AdapterCatalog): ShadowReport {
  const mine = deliveredSource(t, obs, adapters);
  const own = (kind: string, where: string) => mine !== null && mine.kind === kind && mine.where === where;
  const ordered: { kind: string; where: string }[] = [];
  const agentProfiles = obs.profiles.find((p) => p.agent === (mine?.kind === 'profile' ? (mine.where.split('/')[0] ?? t.agent) : t.agent));
  const mainProfiles = obs.profiles.find((p) => p.agent === 'main');
  let profileIds = (agentProfiles?.ids ?? []).map((id) => `${agentProfiles!.agent}/${id}`);
  if (profileIds.length === 0 && mainProfiles && t.agent !== 'main') profileIds = mainProfiles.ids.map((id) => `main/${id}`);
  if (mine?.kind === 'profile' && !profileIds.includes(mine.where)) profileIds = [...profileIds, mine.where];
  // several profiles: OpenClaw's order decides; rekey's must be the only one to be sure it wins
  for (const id of profileIds) ordered.push({ kind: 'profile', where: id });
  if (obs.injectedByExec || mine?.kind === 'rekey-exec') ordered.push({ kind: 'rekey-exec', where: mine?.kind === 'rekey-exec' ? mine.where : 'rekey exec' });
  const envSetters = obs.processEnv.filter((p) => p.sets || own('process-env', p.where)).reverse();
  for (const p of envSetters) ordered.push({ kind: 'process-env', where: p.where });
  if (obs.dotEnv.sets || own('dot-env', obs.dotEnv.path)) ordered.push({ kind: 'dot-env', where: obs.dotEnv.path });
  if (obs.envVars.sets) ordered.push({ kind: 'env-vars', where: `${obs.envVars.path} env.vars` });
  if (obs.configApiKey.kind !== 'none' || mine?.kind === 'config-apikey') ordered.push({ kind: 'config-apikey', where: obs.configApiKey.path });
  const winner = ordered[0] ?? null;
  const profilesAtTop = ordered.filter((s) => s.kind === 'profile').length;
  const sources = ordered.map((s, i) => ({ ...s, owned: own(s.kind, s.where), wins: i === 0 }));
  const deliveredWins = winner !== null && own(winner.kind, winner.where) && !(winner.kind === 'profile' && profilesAtTop > 1);
  const report: ShadowReport = { target: t.id, sources, winner: winner ? `${winner.kind} ${winner.where}` : null, deliveredWins, ...(obs.notes?.length ? { notes: obs.notes } : {}) };
  if (!deliveredWins && mine) {
    const others = sources.filter((s) => !s.owned && (s.kind === 'profile' || sources.indexOf(s) < sources.findIndex((x) => x.owned)));
    const why = winner?.kind === 'profile' ? ' (OpenClaw prefers stored profiles over env and config)' : '';
    report.reason = `${t.id}: rekey delivers to ${mine.kind} ${mine.where}, but ${others.map((s) => `${s.kind} ${s.where}`).join(', ') || 'another source'} ${others.length > 1 ? 'come' : 'comes'} first for ${t.provider ?? t.envVar}${why}`;
  }
  return report;
}
