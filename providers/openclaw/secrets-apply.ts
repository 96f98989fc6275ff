import { join } from 'node:path';
import { childMessage, scrubText } from '../../src/core/child-output.js';
import { tmpdir } from 'node:os';
import { promises as fs } from 'node:fs';
import { setPointer } from '../../src/io/json-pointer.js';
import { DeliveryError } from '../../src/core/errors.js';
import type { Exec } from '../../src/core/ports.js';
import { atomicWrite } from '../../src/io/atomic-write.js';
import type { SecretsApplyPlan } from '../../src/plan/adopt-plan.js';
import { parseCliJson, runOpenclaw, type OpenclawTarget } from './cli.js';

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
  // A dry run before the first adopt: the SecretRef file does not exist yet (the real run writes
  // it first). OpenClaw's dry run needs a readable file, so it checks the same plan against a
  // private placeholder file holding a dummy at every pointer; the plan saved above is the real one.
  let tmp: string | null = null;
  let runPlan = planFile;
  const warnings: string[] = [];
  if (opts.dryRun) {
    const variant = structuredClone(plan);
    for (const [alias, up] of Object.entries(variant.providerUpserts)) {
      if ((await fs.lstat(up.path).catch(() => null)) !== null) continue;
      tmp ??= await fs.mkdtemp(join(tmpdir(), 'rekey-adopt-'));
      let doc: Record<string, unknown> = {};
      for (const t of variant.targets) if (t.ref.provider === alias) doc = setPointer(doc, t.ref.id, 'rekey-dry-run-placeholder');
      const file = join(tmp, `${alias}.json`);
      await fs.writeFile(file, JSON.stringify(doc), { mode: 0o600 });
      warnings.push(`${up.path} does not exist yet: checked against a placeholder (the real run writes it first)`);
      up.path = file;
    }
    if (tmp) {
      runPlan = join(tmp, 'plan.json');
      await fs.writeFile(runPlan, JSON.stringify(variant), { mode: 0o600 });
    }
  }
  try {
    const r = await runOpenclaw(deps.exec, o, ['secrets', 'apply', '--from', runPlan, '--json', ...(opts.dryRun ? ['--dry-run'] : [])], { baseEnv: deps.baseEnv, timeoutMs: opts.timeoutMs ?? 120_000, signal: opts.signal });
    const out = parseCliJson<{ ok?: boolean; error?: { message?: string }; mode?: string; changedFiles?: string[]; checks?: { resolvability?: boolean }; warningCount?: number; warnings?: unknown[] }>(r.stdout);
    warnings.push(...(out?.warnings ?? []).map((w) => (typeof w === 'string' ? w : JSON.stringify(w)).slice(0, 300)));
    if (r.code !== 0 || !out || out.ok === false || (out.warningCount ?? 0) > 0) {
      const why = scrubText(out?.error?.message ?? (out?.warningCount ? `${out.warningCount} warning(s): ${warnings.join('; ')}` : childMessage(r)), r.secrets ?? []).slice(0, 300);
      throw new DeliveryError('SECRETS_APPLY_FAILED', `openclaw secrets apply${opts.dryRun ? ' --dry-run' : ''} failed (exit ${r.code}): ${(why ?? '').slice(0, 300)}`, { hint: `the plan is in ${planFile}` });
    }
    const changedFiles = (out.changedFiles ?? []).filter((f) => !tmp || !f.startsWith(tmp));
    return { planFile, mode: out.mode ?? (opts.dryRun ? 'dry-run' : 'write'), changedFiles, resolvable: out.checks?.resolvability === true, warnings };
  } finally {
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  }
}
