/**
 * Check 4, which source wins for each agent × provider: rekey's delivery must be the winner (the
 * shadow detection), no stored profile in cooldown, no stale alternate in the process, no
 * unmanaged plain-text copy in <stateDir>/.env or openclaw.json.
 */
import { providerAlternates } from '../../core/env-name.js';
import type { Target } from '../../core/target.js';
import { shadowReport } from '../../plan/shadow.js';
import { finding, type Finding } from './codes.js';
import type { DoctorContext } from './context.js';
import { scope } from './layer.js';

export async function sourceChecks(c: DoctorContext, t: Target): Promise<Finding[]> {
  if (t.layer !== 'provider-key') return [];
  const out: Finding[] = [];
  const { openclaw, signal } = c.deps;
  const obs = await c.bound(openclaw.sources(t, signal), `sources of ${t.id}`);
  const r = shadowReport(t, obs, c.deps.planContext.adapters);
  const ev = { target: t.id, winner: r.winner ?? 'none' };
  if (!r.deliveredWins && r.reason) out.push(finding('SOURCE_SHADOWED', 'provider-key', t.id, r.reason, `rekey status ${t.secret} ${scope(t)}  # every source in order; remove the ones rekey does not own`, { ...ev, sources: r.sources.map((s) => `${s.kind} ${s.where}${s.owned ? ' (rekey)' : ''}`) }));
  for (const s of r.sources) {
    if (s.owned) continue;
    if (s.kind === 'dot-env') out.push(finding('KEY_IN_DOTENV', 'provider-key', s.where, `${t.id}: ${s.where} sets ${t.envVar}, which rekey does not manage${s.wins ? ' (and it wins)' : ''}`, `sed -i '/^${t.envVar}=/d' ${s.where}  # after checking nothing else needs it`, { ...ev, file: s.where, variable: t.envVar }));
    if (s.kind === 'env-vars' || (s.kind === 'config-apikey' && obs.configApiKey.kind === 'string')) {
      const field = s.kind === 'env-vars' ? `env.vars.${t.envVar}` : `models.providers.${t.provider}.apiKey`;
      out.push(finding('KEY_IN_CONFIG', 'provider-key', obs.configApiKey.path, `${t.id}: ${obs.configApiKey.path} holds the key in plain text (${field})${s.wins ? ' and it wins' : ''}`, `rekey openclaw adopt ${t.secret} ${scope(t)}  # moves it behind a file SecretRef rekey owns`, { ...ev, file: obs.configApiKey.path, field }));
    }
  }
  for (const u of await c.bound(openclaw.unusableProfiles(t, signal), `models status of ${t.id}`)) {
    const agent = (t.verify as { agent?: unknown }).agent ?? t.agent;
    out.push(finding('PROFILE_COOLDOWN', 'provider-key', `${String(agent)}/${u.profileId}`, `${t.id}: stored profile ${u.profileId} is in ${u.kind} after a provider ${u.reason}${u.remainingMs !== undefined ? ` (${Math.ceil(u.remainingMs / 1000)} s left)` : ''}: OpenClaw skips it`, `openclaw models auth logout ${u.profileId} --yes --agent ${String(agent)}  # re-pasting under the same id does not clear a cooldown`, { target: t.id, profile: u.profileId, kind: u.kind, reason: u.reason }));
  }
  // alternates in what the consumer's process really holds (else what it gets at its next start)
  if (t.service) {
    const unit = (await c.units()).find((u) => u.unit === t.service!.unit);
    const vars = unit?.running?.env ?? unit?.environment.vars ?? {};
    const isAlt = providerAlternates(t.envVar, t.provider);
    const cur = await c.current(t);
    const alts = Object.entries(vars).filter(([k]) => isAlt(k));
    if (alts.length) {
      out.push(finding('STALE_ALTERNATE', 'provider-key', t.service.unit, `${t.id}: ${t.service.unit}'s environment also has ${alts.map(([k]) => k).join(', ')}, which OpenClaw uses on rate-limit retries`, `rekey rotate ${t.secret} --env ${t.env}  # the env-file sink removes alternates from its file; else delete them where \`systemctl --user cat ${t.service.unit}\` sets them`, {
        target: t.id,
        unit: t.service.unit,
        alternates: alts.map(([k, v]) => `${k}=${v.fingerprint}${cur && v.equals(cur) ? ' (current)' : ''}`),
      }));
    }
  }
  return out;
}
