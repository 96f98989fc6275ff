import { canonicalPath } from '../policy/rules.js';
import { UsageError } from '../core/errors.js';
import type { Target } from '../core/target.js';
import type { Policy } from '../policy/schema.js';
import { blastRadius, type BlastRadius } from './blast-radius.js';

export interface PlanContext {
  /** the host rekey runs on; targets for other hosts are listed but not touched */
  hostname: string;
  /** for ~ in paths */
  home: string;
}

export interface PlanFilter {
  env?: string | undefined;
  agent?: string | undefined;
}

export interface Plan {
  secret: string;
  layer: Target['layer'];
  backend: string;
  backendKind: string;
  /** distinct backend refs: each gets one new value */
  refs: string[];
  /** targets this host will touch, in delivery order */
  targets: Target[];
  /** targets of the same secret on other hosts (not touched here; run rekey there) */
  elsewhere: Target[];
  /** units to restart, once each, in first-seen order */
  restarts: string[];
  blastRadius: BlastRadius;
  warnings: string[];
  /** the order sinks are written in (gateway tokens: server, then clients) */
  deliveryOrder: string[];
}

const asList = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]);

/** `~` expanded and the path made canonical (no `.`, `..`, `//`): every target names its file one way */
export function expandHome(path: string, home: string): string {
  return canonicalPath(path, home);
}

function fill(template: string, vars: { secret: string; env: string; agent: string; provider: string }): string {
  return template.replaceAll('{secret}', vars.secret).replaceAll('{env}', vars.env).replaceAll('{agent}', vars.agent).replaceAll('{provider}', vars.provider);
}

/** Resolve every target of every secret (for `plan` of all and for shadow/ownership views). */
export function resolveTargets(policy: Policy, secretName: string, ctx: PlanContext): Target[] {
  const secret = policy.secrets[secretName];
  if (!secret) {
    throw new UsageError('UNKNOWN_SECRET', `no secret "${secretName}" in the policy`, {
      hint: `secrets in this policy: ${Object.keys(policy.secrets).join(', ') || '(none)'}`,
    });
  }
  const targets: Target[] = [];
  secret.deliveries.forEach((d, index) => {
    for (const env of asList(d.env)) {
      for (const agent of asList(d.agent)) {
        const vars = { secret: secretName, env, agent, provider: secret.layer === 'provider-key' ? secret.provider : 'gateway' };
        const path = (p: string) => expandHome(fill(p, vars), ctx.home);
        /** the OpenClaw state dir / config path of a sink or verifier, templates filled */
        const openclawPaths = <T extends { stateDir?: string | undefined; configPath?: string | undefined }>(o: T): T => ({
          ...o,
          ...(o.stateDir ? { stateDir: path(o.stateDir) } : {}),
          ...(o.configPath ? { configPath: path(o.configPath) } : {}),
        });
        const sink: Target['sink'] =
          d.sink.kind === 'openclaw-secretref-file'
            ? openclawPaths({ ...d.sink, path: path(d.sink.path), pointer: fill(d.sink.pointer, vars) })
            : d.sink.kind === 'keychain'
              ? { ...d.sink, service: fill(d.sink.service, vars), ...(d.sink.reload ? { reload: openclawPaths(d.sink.reload) } : {}) }
              : d.sink.kind === 'openclaw-auth-profile'
                ? openclawPaths({ ...d.sink, profileId: fill(d.sink.profileId, vars) })
                : d.sink.kind === 'openclaw-config-token'
                  ? openclawPaths({ ...d.sink })
                  : { ...d.sink, path: path(d.sink.path) };
        const svc = d.service === null ? null : policy.services[d.service];
        const service = svc ? { ...svc, unit: fill(svc.unit, vars), name: d.service as string } : null;
        const verify = d.verify.kind === 'none' ? d.verify : openclawPaths(d.verify);
        targets.push({
          id: `${secretName}/${env}/${agent}#${index}`,
          secret: secretName,
          layer: secret.layer,
          ...(secret.layer === 'provider-key' ? { provider: secret.provider, probe: secret.probe } : {}),
          envVar: (d.sink.kind === 'systemd-env-file' || d.sink.kind === 'keychain' ? d.sink.key : undefined) ?? secret.envVar,
          agent,
          env,
          host: d.host ?? '*',
          backend: secret.backend,
          ref: fill(secret.ref, vars),
          sink,
          service,
          verify,
        });
      }
    }
  });
  return targets;
}

/** policy + secret + filters → what a rotation would touch. Pure: no side effects. */
export function planRotation(policy: Policy, secretName: string, filter: PlanFilter, ctx: PlanContext): Plan {
  const secret = policy.secrets[secretName];
  const all = resolveTargets(policy, secretName, ctx);
  if (filter.env !== undefined && !(filter.env in policy.environments)) {
    throw new UsageError('UNKNOWN_ENV', `no environment "${filter.env}" in the policy`, { hint: `environments: ${Object.keys(policy.environments).join(', ')}` });
  }
  if (filter.agent !== undefined && !(filter.agent in policy.agents)) {
    throw new UsageError('UNKNOWN_AGENT', `no agent "${filter.agent}" in the policy`, { hint: `agents: ${Object.keys(policy.agents).join(', ')}` });
  }
  const selected = all.filter((t) => (filter.env === undefined || t.env === filter.env) && (filter.agent === undefined || t.agent === filter.agent));
  if (selected.length === 0) {
    throw new UsageError('NO_TARGETS', `secret "${secretName}" has no delivery for ${describeFilter(filter)}`);
  }
  // Gateway token: the server first, then every client, back to back (restarts and verification
  // only after the last write), so the window in which they disagree is as short as it can be
  const here = orderDeliveries(selected.filter((t) => t.host === '*' || t.host === ctx.hostname));
  // Sets, not Array.includes: planning stays linear in the number of targets (100,000 in a few seconds)
  const hereSet = new Set(here);
  const elsewhere = selected.filter((t) => !hereSet.has(t));
  const refs = [...new Set(here.map((t) => t.ref))];
  const refSet = new Set(refs);
  const selectedSet = new Set(selected);
  const restarts = [...new Set(here.flatMap((t) => (t.service ? [t.service.unit] : [])))];
  const warnings: string[] = [];
  for (const t of here) {
    if (t.verify.kind === 'none') warnings.push(`${t.id}: not verified at the consumer (${t.verify.reason})`);
  }
  // A ref shared by targets outside the filter: they would keep the old value after promote.
  const outside = all.filter((t) => !selectedSet.has(t) && refSet.has(t.ref));
  for (const t of outside) {
    warnings.push(`${t.id} reads the same backend ref ${t.ref} but is outside this rotation: it keeps the old value until rotated too`);
  }
  if (here.length === 0) warnings.push(`no target of "${secretName}" is on this host (${ctx.hostname})`);
  const backendCfg = policy.backends[secret!.backend];
  return {
    secret: secretName,
    layer: secret!.layer,
    backend: secret!.backend,
    backendKind: backendCfg?.kind ?? 'unknown',
    refs,
    targets: here,
    elsewhere,
    restarts,
    blastRadius: blastRadius(selected),
    warnings,
    deliveryOrder: here.map((t) => `${t.id} (${tokenRole(t) ?? t.sink.kind})`),
  };
}

function describeFilter(f: PlanFilter): string {
  const parts = [f.env ? `env ${f.env}` : '', f.agent ? `agent ${f.agent}` : ''].filter(Boolean);
  return parts.length ? parts.join(', ') : 'any target';
}

/** server or client for a Gateway-token target; undefined for provider keys */
export function tokenRole(t: Target): 'server' | 'client' | undefined {
  if (t.layer !== 'gateway-token') return undefined;
  if (t.verify.kind === 'openclaw-gateway-probe') return t.verify.role;
  return t.sink.kind === 'openclaw-config-token' && t.sink.field === 'auth' ? 'server' : 'client';
}

function orderDeliveries(targets: Target[]): Target[] {
  const rank = (t: Target) => (tokenRole(t) === 'server' ? 0 : 1);
  return [...targets].sort((a, b) => rank(a) - rank(b));
}
