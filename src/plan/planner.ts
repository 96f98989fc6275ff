import type { AdapterCatalog } from '../core/adapters.js';
import { canonicalPath, templater } from '../policy/template.js';
import { UsageError } from '../core/errors.js';
import type { Target } from '../core/target.js';
import type { Policy } from '../policy/schema.js';
import { blastRadius, type BlastRadius } from './blast-radius.js';

export interface PlanContext {
  /** the host rekey runs on; targets for other hosts are listed but not touched */
  hostname: string;
  /** for ~ in paths */
  home: string;
  /** what each adapter kind means (providers/registry.ts) */
  adapters: AdapterCatalog;
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
        const tpl = templater({ secret: secretName, env, agent, provider: secret.layer === 'provider-key' ? secret.provider : 'gateway' }, ctx.home);
        const sinkSpec = ctx.adapters.sink(d.sink.kind);
        const sink = sinkSpec.resolve(d.sink, tpl) as Target['sink'];
        const svc = d.service === null ? null : policy.services[d.service];
        const service = svc ? { ...(ctx.adapters.service(svc.kind).resolve(svc, tpl) as typeof svc), name: d.service as string } : null;
        const verify = ctx.adapters.verifier(d.verify.kind).resolve(d.verify, tpl) as Target['verify'];
        targets.push({
          id: `${secretName}/${env}/${agent}#${index}`,
          secret: secretName,
          layer: secret.layer,
          ...(secret.layer === 'provider-key' ? { provider: secret.provider, probe: secret.probe } : {}),
          envVar: sinkSpec.envKey?.(d.sink) ?? secret.envVar,
          agent,
          env,
          host: d.host ?? '*',
          backend: secret.backend,
          ref: tpl.text(secret.ref),
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
  const here = orderDeliveries(selected.filter((t) => t.host === '*' || t.host === ctx.hostname), ctx.adapters);
  // Sets, not Array.includes: planning stays linear in the number of targets (100,000 in a few seconds)
  const hereSet = new Set(here);
  const elsewhere = selected.filter((t) => !hereSet.has(t));
  const refs = [...new Set(here.map((t) => t.ref))];
  const refSet = new Set(refs);
  const selectedSet = new Set(selected);
  const restarts = [...new Set(here.flatMap((t) => (t.service ? [t.service.unit] : [])))];
  const warnings: string[] = [];
  for (const t of here) {
    const why = ctx.adapters.verifier(t.verify.kind).unverified?.(t.verify);
    if (why !== undefined) warnings.push(`${t.id}: not verified at the consumer (${why})`);
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
    blastRadius: blastRadius(selected, ctx.adapters),
    warnings,
    deliveryOrder: here.map((t) => `${t.id} (${tokenRole(t, ctx.adapters) ?? t.sink.kind})`),
  };
}

/**
 * The refs this host's targets read that deliveries on other hosts read too (any env or agent):
 * promoting one here, after verifying this host only, leaves those hosts on the old value.
 */
export function refsOnOtherHosts(policy: Policy, plan: Plan, ctx: PlanContext): { ref: string; hosts: string[] }[] {
  const mine = new Set(plan.refs);
  const hosts = new Map<string, Set<string>>();
  for (const t of resolveTargets(policy, plan.secret, ctx)) {
    if (t.host === '*' || t.host === ctx.hostname || !mine.has(t.ref)) continue;
    (hosts.get(t.ref) ?? hosts.set(t.ref, new Set()).get(t.ref)!).add(t.host);
  }
  return [...hosts].map(([ref, hs]) => ({ ref, hosts: [...hs].sort() }));
}

function describeFilter(f: PlanFilter): string {
  const parts = [f.env ? `env ${f.env}` : '', f.agent ? `agent ${f.agent}` : ''].filter(Boolean);
  return parts.length ? parts.join(', ') : 'any target';
}

/** server or client for a Gateway-token target; undefined for provider keys */
export function tokenRole(t: Target, adapters: AdapterCatalog): 'server' | 'client' | undefined {
  if (t.layer !== 'gateway-token') return undefined;
  return adapters.verifier(t.verify.kind).tokenRole?.(t.verify) ?? adapters.sink(t.sink.kind).tokenRole?.(t.sink) ?? 'client';
}

function orderDeliveries(targets: Target[], adapters: AdapterCatalog): Target[] {
  const rank = (t: Target) => (tokenRole(t, adapters) === 'server' ? 0 : 1);
  return [...targets].sort((a, b) => rank(a) - rank(b));
}
