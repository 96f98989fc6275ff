/**
 * Check 5, Gateway token drift: every holder of a Gateway token secret (the server's config,
 * each client) holds the same token; a Gateway unit does not carry OPENCLAW_GATEWAY_TOKEN in its
 * environment while its openclaw.json sets gateway.auth.token (config wins on the server).
 */
import type { Plan } from '../../plan/planner.js';
import { finding, type Finding } from './codes.js';
import type { DoctorContext } from './context.js';

export async function driftChecks(c: DoctorContext, plan: Plan): Promise<Finding[]> {
  if (plan.layer !== 'gateway-token' || plan.targets.length < 2) return [];
  const adapters = c.deps.planContext.adapters;
  const held = [];
  for (const t of plan.targets) {
    const v = await c.held(t);
    const role = adapters.sink(t.sink.kind).tokenRole?.(t.sink) ?? adapters.verifier(t.verify.kind).tokenRole?.(t.verify) ?? 'client';
    held.push({ t, v, role });
  }
  const prints = new Set(held.map((h) => h.v?.fingerprint ?? 'none'));
  if (prints.size < 2) return [];
  const server = held.find((h) => h.role === 'server');
  const off = held.filter((h) => server && h !== server && !(h.v && server.v && h.v.equals(server.v)));
  return [
    finding(
      'TOKEN_DRIFT',
      'gateway-token',
      plan.secret,
      `the holders of ${plan.secret} disagree: ${held.map((h) => `${h.t.id} (${h.role}) ${h.v?.fingerprint ?? 'none'}`).join(', ')}${server && off.length ? `; ${off.map((h) => h.t.id).join(', ')} would be refused (401, close 1008)` : ''}`,
      `rekey rotate ${plan.secret}  # one new token to the server and every client together`,
      { holders: held.map((h) => `${h.t.id} ${h.role} ${h.v?.fingerprint ?? 'none'}`) },
    ),
  ];
}

export async function unitTokenChecks(c: DoctorContext): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const u of await c.units()) {
    if (!u.gateway || !u.install) continue;
    const inEnv = (u.running?.env ?? u.environment.vars).OPENCLAW_GATEWAY_TOKEN;
    if (!inEnv) continue;
    const cfg = await c.bound(c.deps.openclaw.configToken(u.install, c.deps.signal), `gateway.auth.token of ${u.unit}`);
    if (cfg.kind === 'none') continue;
    const same = cfg.kind === 'string' && cfg.value.equals(inEnv);
    out.push(
      finding('TOKEN_IN_UNIT_ENV', 'gateway-token', u.unit, `${u.unit}'s environment has OPENCLAW_GATEWAY_TOKEN (${inEnv.fingerprint}) while openclaw.json sets gateway.auth.token${cfg.kind === 'string' ? ` (${cfg.value.fingerprint})` : ' (a SecretRef)'}: the config wins on the server${same ? '' : ', the env copy differs'}`, `systemctl --user cat ${u.unit}  # remove OPENCLAW_GATEWAY_TOKEN from its Environment=/EnvironmentFile=, then restart it`, {
        unit: u.unit,
        env: inEnv.fingerprint,
        config: cfg.kind === 'string' ? cfg.value.fingerprint : 'secretref',
        same,
      }),
    );
  }
  return out;
}
