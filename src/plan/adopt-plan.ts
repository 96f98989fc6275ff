import { UsageError } from '../core/errors.js';
import type { AdapterCatalog } from '../core/adapters.js';
import type { Target } from '../core/target.js';
import type { SecretsApplyPlan } from '../core/openclaw.js';

export type { SecretsApplyPlan };

/**
 * The plan that points each target's provider key at rekey's SecretRef file: the file provider
 * is upserted under its alias, then `models.providers.<P>.apiKey` becomes `{source: file,
 * provider: <alias>, id: <pointer>}`. Pure; one plan per OpenClaw config (callers group).
 */
export function adoptPlan(targets: Target[], adapters: AdapterCatalog): SecretsApplyPlan {
  const plan: SecretsApplyPlan = { version: 1, protocolVersion: 1, providerUpserts: {}, targets: [] };
  for (const t of targets) {
    const ref = adapters.sink(t.sink.kind).fileSecretRef?.(t.sink);
    if (!ref) continue;
    const alias = ref.alias;
    const upsert = { source: 'file' as const, path: ref.path, mode: 'json' as const };
    const had = plan.providerUpserts[alias];
    if (had && had.path !== upsert.path) {
      throw new UsageError('ADOPT_ALIAS_CONFLICT', `secrets provider "${alias}" would point at both ${had.path} and ${upsert.path}`, { hint: 'give each file its own sink.secretsProvider alias' });
    }
    plan.providerUpserts[alias] = upsert;
    const provider = t.provider ?? '';
    const path = `models.providers.${provider}.apiKey`;
    if (plan.targets.some((x) => x.path === path)) continue;
    plan.targets.push({ type: 'models.providers.apiKey', path, pathSegments: ['models', 'providers', provider, 'apiKey'], providerId: provider, ref: { source: 'file', provider: alias, id: ref.pointer } });
  }
  return plan;
}
