import { join } from 'node:path';
import { promises as fs } from 'node:fs';
import { DeliveryError } from '../src/core/errors.js';
import type { Exec } from '../src/core/ports.js';
import { atomicWrite } from '../src/io/atomic-write.js';
import type { SecretsApplyPlan } from '../src/plan/adopt-plan.js';
import { parseCliJson, runOpenclaw, type OpenclawTarget } from './openclaw-cli.js';

export interface SecretsApplyResult {
  planFile: string;
  mode: string;
  changedFiles: string[];
  resolvable: boolean;
  warnings: string[];
}

/**
 * `openclaw secrets apply --from <plan> [--dry-run] --json`. The plan (refs only, no values) is
 * kept as a 0600 file in `dir` for the operator to read. Anything but exit 0 with warningCount 0
 * is a failure; OpenClaw commits nothing for an invalid plan.
 */
export async function secretsApply(
  deps: { exec: Exec; baseEnv: Record<string, string> },
  o: OpenclawTarget,
  plan: SecretsApplyPlan,
  dir: string,
  opts: { dryRun: boolean; name: string; signal: AbortSignal; timeoutMs?: number },
): Promise<SecretsApplyResult> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const planFile = join(dir, `${opts.name}.json`);
  await atomicWrite(planFile, JSON.stringify(plan, null, 2) + '\n', { mode: 0o600 });
  const r = await runOpenclaw(deps.exec, o, ['secrets', 'apply', '--from', planFile, '--json', ...(opts.dryRun ? ['--dry-run'] : [])], { baseEnv: deps.baseEnv, timeoutMs: opts.timeoutMs ?? 120_000, signal: opts.signal });
  const out = parseCliJson<{ mode?: string; changedFiles?: string[]; checks?: { resolvability?: boolean }; warningCount?: number; warnings?: unknown[] }>(r.stdout);
  const warnings = (out?.warnings ?? []).map((w) => (typeof w === 'string' ? w : JSON.stringify(w)).slice(0, 300));
  if (r.code !== 0 || !out) {
    throw new DeliveryError('SECRETS_APPLY_FAILED', `openclaw secrets apply${opts.dryRun ? ' --dry-run' : ''} failed (exit ${r.code}): ${(r.stderr.trim() || r.stdout.trim()).split('\n')[0]?.slice(0, 300) ?? ''}`, { hint: `the plan is in ${planFile}` });
  }
  return { planFile, mode: out.mode ?? (opts.dryRun ? 'dry-run' : 'write'), changedFiles: out.changedFiles ?? [], resolvable: out.checks?.resolvability === true, warnings };
}
