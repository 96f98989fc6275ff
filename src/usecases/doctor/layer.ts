/**
 * Check 1, the layer: does each Gateway answer with its own configured token, and does each
 * consumer work with the backend's current value (its verifier, run as a baseline), and does the
 * provider accept that value. Classifies 401 (Gateway session) vs "No API key" (provider key).
 */
import type { VerifyFailure } from '../../core/ports.js';
import type { Target } from '../../core/target.js';
import { finding, type Finding, type FindingCode } from './codes.js';
import type { DoctorContext } from './context.js';

const PROVIDER: Record<VerifyFailure, FindingCode> = {
  missing: 'PROVIDER_KEY_MISSING',
  mismatch: 'PROVIDER_KEY_MISMATCH',
  shadowed: 'PROVIDER_KEY_SHADOWED',
  'wrong-source': 'PROVIDER_KEY_WRONG_SOURCE',
  rejected: 'PROVIDER_KEY_REJECTED',
  died: 'PROVIDER_KEY_UNVERIFIED',
  error: 'PROVIDER_KEY_UNVERIFIED',
};

export const scope = (t: Target) => `--env ${t.env} --agent ${t.agent}`;

export async function gatewayChecks(c: DoctorContext): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const u of await c.units()) {
    if (!u.gateway || !u.install) continue;
    // what is configured for it (its unit files), as a client started now would see it: a token
    // changed on disk but not yet in the running Gateway is refused, which is the diagnosis
    const env = Object.keys(u.environment.vars).length ? u.environment.vars : (u.running?.env ?? {});
    const a = await c.bound(c.deps.openclaw.gatewayStatus(u.install, env, u.port, c.deps.signal), `gateway status of ${u.unit}`);
    if (a.state === 'ok') continue;
    const ev = { unit: u.unit, ...(u.port !== undefined ? { port: u.port } : {}), answer: a.why, processRunning: u.running !== null };
    if (a.state === 'refused') {
      const tokenSecret = c.plans.find((p) => p.layer === 'gateway-token' && p.targets.length > 0)?.secret;
      const next = `systemctl --user restart ${u.unit}  # if its token changed on disk since it started; else: ${tokenSecret ? `rekey rotate ${tokenSecret}` : 'rotate the Gateway token (a gateway-token secret in the policy)'}`;
      out.push(finding('GATEWAY_REFUSES_OWN_TOKEN', 'gateway-token', u.unit, `the Gateway of ${u.unit} refuses the token configured for it: ${a.why}`, next, ev));
    } else {
      out.push(finding('GATEWAY_UNREACHABLE', 'gateway-token', u.unit, `the Gateway of ${u.unit} does not answer RPC: ${a.why}`, `systemctl --user status ${u.unit}; journalctl --user -u ${u.unit} -n 50`, ev));
    }
  }
  return out;
}

/** every target's verifier against the backend's current value, and (provider keys) the provider's own answer */
export async function consumerChecks(c: DoctorContext, t: Target): Promise<Finding[]> {
  const cur = await c.current(t);
  if (!cur) return []; // NO_CURRENT_VERSION (rotation health) says it
  const out: Finding[] = [];
  const r = await c.bound(c.deps.verifier(t.verify.kind).verify(t, cur, c.deps.signal), `verify ${t.id}`);
  const ev = { target: t.id, expected: cur.fingerprint, ...(t.service ? { unit: t.service.unit } : {}) };
  if (!r.ok) {
    const code: FindingCode = r.layer === 'provider-key' ? PROVIDER[r.code] : r.code === 'error' || r.code === 'died' ? 'GATEWAY_TOKEN_UNVERIFIED' : 'GATEWAY_TOKEN_MISMATCH';
    const next = r.code === 'shadowed' || r.code === 'wrong-source' ? `rekey status ${t.secret} ${scope(t)}  # lists every source and which one wins` : t.service && r.code === 'missing' ? `systemctl --user status ${t.service.unit}` : `rekey plan ${t.secret} ${scope(t)}  # where rekey delivers; compare with the evidence`;
    out.push(finding(code, r.layer, t.id, r.reason, next, { ...ev, verifyCode: r.code, ...(r.diagnosis ? { diagnosis: r.diagnosis } : {}) }));
  }
  if (t.layer === 'provider-key' && t.probe !== 'off' && c.deps.probe) {
    const p = await c.bound(c.deps.probe(t, cur, c.deps.signal), `probe ${t.id}`);
    if (p.result === 'refused') {
      out.push(finding('PROVIDER_KEY_REJECTED', 'provider-key', t.id, `${t.provider} refuses ${cur.fingerprint} (HTTP ${p.status} ${p.code} at ${p.url})`, `rekey revoke ${t.secret} --env ${t.env}  # reissue: the current key is dead upstream`, { ...ev, status: p.status, url: p.url }));
    } else if (p.result === 'unreachable') {
      out.push(finding('PROVIDER_KEY_UNVERIFIED', 'provider-key', t.id, `${t.provider} could not be asked about ${cur.fingerprint}: ${p.why}`, `curl -sS -o /dev/null -w '%{http_code}\\n' ${p.url}`, { ...ev, url: p.url }));
    }
  }
  return out;
}
