import type { Policy } from '../policy/schema.js';
import { envTargets } from './exec-env.js';
import type { RekeyDeps } from './context.js';
import { withTimeout } from '../rotation/timeout.js';

/** OpenClaw's exec SecretRef protocol (docs/gateway/secrets/secretref-contract.md), version 1. */
export interface ResolveRequest {
  protocolVersion: number;
  provider?: string;
  ids: string[];
}
export interface ResolveResponse {
  protocolVersion: 1;
  values: Record<string, string>;
  errors?: Record<string, { code: string; message?: string }>;
}

const ID = /^([^/]+)\/([^/]+)\/([A-Za-z_][A-Za-z0-9_]*)$/;

/**
 * `rekey openclaw resolve`, an exec provider for OpenClaw SecretRefs: each id `<env>/<agent>/<VAR>`
 * names the delivery of that variable to that agent × environment on this host, read from its
 * sink (keychain item or env file). Values go only into the response; errors name ids, never values.
 */
export async function resolveIds(policy: Policy, req: ResolveRequest, deps: Pick<RekeyDeps, 'sink' | 'planContext' | 'signal' | 'stepTimeoutMs'>): Promise<ResolveResponse & { fingerprints: Record<string, string> }> {
  const values: Record<string, string> = {};
  const fingerprints: Record<string, string> = {};
  const errors: Record<string, { code: string; message?: string }> = {};
  const all = envTargets(policy, deps.planContext);
  for (const id of req.ids) {
    const m = ID.exec(id);
    if (!m) {
      errors[id] = { code: 'INVALID_ID', message: 'ids are <env>/<agent>/<VARIABLE>' };
      continue;
    }
    const [, env, agent, envVar] = m;
    const t = all.find((x) => x.env === env && x.agent === agent && x.envVar === envVar);
    if (!t) {
      errors[id] = { code: 'NOT_FOUND', message: 'no keychain or env-file delivery of that variable to that agent and environment on this host' };
      continue;
    }
    try {
      const v = await withTimeout(deps.sink(t.sink.kind).read(t, deps.signal), deps.stepTimeoutMs, `read ${id}`, deps.signal);
      if (!v || v.length === 0) errors[id] = { code: 'NOT_FOUND', message: `${t.id}: no value delivered yet` };
      else {
        values[id] = v.reveal();
        fingerprints[id] = v.fingerprint;
      }
    } catch (e) {
      errors[id] = { code: 'UNAVAILABLE', message: (e as Error).message.slice(0, 200) };
    }
  }
  return { protocolVersion: 1, values, ...(Object.keys(errors).length ? { errors } : {}), fingerprints };
}
