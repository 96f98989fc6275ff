/**
 * `rekey ci exec --runner ID [<secret>…] -- CMD`, run on the runner with its own identity at the
 * backend: the runner's leases, read from `<prefix>/<runner>/<secret>`, in CMD's environment only
 * (under each secret's envVar). Needs no lease book (the runner's identity cannot read it): a
 * lease that ended is gone from the backend and refused by the provider.
 */
import { BackendError, UnsafeError, UsageError } from '../../core/errors.js';
import type { SecretValue } from '../../core/secret-value.js';
import type { Policy } from '../../policy/schema.js';
import type { RekeyDeps } from '../context.js';
import { assertRunnerId, leaseRef } from './lease-book.js';

export async function ciExecEnv(policy: Policy, runner: string | undefined, secrets: string[], deps: Pick<RekeyDeps, 'backend' | 'retry' | 'signal'>): Promise<{ vars: Record<string, SecretValue>; sources: { envVar: string; secret: string; ref: string; fingerprint: string }[] }> {
  assertRunnerId(runner);
  for (const s of secrets) if (!(s in policy.secrets)) throw new UsageError('UNKNOWN_SECRET', `no secret "${s}" in the policy`);
  const named = secrets.length > 0;
  const wanted = named ? secrets : Object.keys(policy.secrets).filter((s) => policy.secrets[s]!.audience !== 'human');
  const vars: Record<string, SecretValue> = {};
  const sources: { envVar: string; secret: string; ref: string; fingerprint: string }[] = [];
  for (const s of wanted) {
    const sp = policy.secrets[s]!;
    const ref = leaseRef(policy, runner, s);
    let r;
    try {
      r = await deps.retry(`read current ${ref}`, () => deps.backend(sp.backend).read(ref, 'current', deps.signal));
    } catch (e) {
      // another runner's path, or a secret this runner was never granted: not ours to read
      if (!named && e instanceof BackendError && e.code === 'ACCESS_DENIED') continue;
      throw e;
    }
    if (!r) {
      if (named) throw new UnsafeError('CI_LEASE_MISSING', `runner ${runner} holds no lease of ${s} (${ref} is empty): not starting the command without it`, { hint: `rekey ci issue --runner ${runner} --secret ${s} --ttl 1h` });
      continue;
    }
    if (vars[sp.envVar]) throw new UnsafeError('EXEC_CONFLICT', `${sp.envVar} would come from two leases (${s} and another secret)`, { hint: 'name the secrets to inject after --runner' });
    vars[sp.envVar] = r.value;
    sources.push({ envVar: sp.envVar, secret: s, ref, fingerprint: r.value.fingerprint });
  }
  if (sources.length === 0) throw new UnsafeError('CI_LEASE_MISSING', `runner ${runner} holds no lease`, { hint: `rekey ci issue --runner ${runner} --secret S --ttl 1h` });
  return { vars, sources };
}
