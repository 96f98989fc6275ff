import { UsageError } from '../core/errors.js';
import type { Target } from '../core/target.js';

/** An `openclaw secrets apply` plan (docs/gateway/secrets-plan-contract.md, protocol 1). */
export interface SecretsApplyPlan {
  version: 1;
  protocolVersion: 1;
  providerUpserts: Record<string, { source: 'file'; path: string; mode: 'json' }>;
  targets: {
    type: 'models.providers.apiKey';
    path: string;
    pathSegments: string[];
    providerId: string;
    ref: { source: 'file'; provider: string; id: string };
  }[];
}

/**
 * The plan that points each target's provider key at rekey's SecretRef file: the file provider
 * is upserted under its alias, then `models.providers.<P>.apiKey` becomes `{source: file,
 * provider: <alias>, id: <pointer>}`. Pure; one plan per OpenClaw config (callers group).
 */
export function adoptPlan(targets: Target[]): SecretsApplyPlan {
  const plan: SecretsApplyPlan = { version: 1, protocolVersion: 1, providerUpserts: {}, targets: [] };
  for (const t of targets) {
    if (t.sink.kind !== 'openclaw-secretref-file') continue;
    const alias = t.sink.secretsProvider;
    const upsert = { source: 'file' as const, path: t.sink.path, mode: 'json' as const };
    const had = plan.providerUpserts[alias];
    if (had && had.path !== upsert.path) {
      throw new UsageError('ADOPT_ALIAS_CONFLICT', `secrets provider "${alias}" would point at both ${had.path} and ${upsert.path}`, { hint: 'give each file its own sink.secretsProvider alias' });
    }
    plan.providerUpserts[alias] = upsert;
    const provider = t.provider ?? '';
    const path = `models.providers.${provider}.apiKey`;
    if (plan.targets.some((x) => x.path === path)) continue;
    plan.targets.push({ type: 'models.providers.apiKey', path, pathSegments: ['models', 'providers', provider, 'apiKey'], providerId: provider, ref: { source: 'file', provider: alias, id: t.sink.pointer } });
  }
  return plan;
}
