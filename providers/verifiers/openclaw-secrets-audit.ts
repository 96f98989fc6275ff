import { InternalError } from '../../src/core/errors.js';
import type { Exec, KeyProbe, Sink, Verifier, VerifyFailure, VerifyResult } from '../../src/core/ports.js';
import { probeHeld } from './upstream-probe.js';
import type { Target } from '../../src/core/target.js';
import { parseCliJson, runOpenclaw } from '../openclaw/cli.js';
import { runModelsStatus } from '../openclaw/models-status.js';
import type { OpenclawSecretsAuditVerifierConfig } from './openclaw-secrets-audit.schema.js';

interface AuditJson {
  summary?: { unresolvedRefCount?: number; shadowedRefCount?: number };
  findings?: { code?: string; jsonPath?: string }[];
}
interface StatusJson {
  auth?: { providers?: { provider: string; effective?: { kind?: string; detail?: string }; profiles?: { labels?: string[] } }[]; missingProvidersInUse?: string[] };
}

const cfg = (t: Target): OpenclawSecretsAuditVerifierConfig => {
  if (t.verify.kind !== 'openclaw-secrets-audit') throw new InternalError(`target ${t.id} is not verified by openclaw-secrets-audit`);
  return t.verify;
};

/**
 * `models status --check` reports file/exec SecretRef profiles as indeterminate and shows no
 * mask for them, so a SecretRef delivery is verified by three facts: `openclaw secrets audit
 * --json` resolves every ref (exit 2 = unresolved), `models status --json` shows the provider's
 * effective source is the SecretRef (not a stored profile or an env key shadowing it), and the
 * sink reads back the expected value.
 */
export function createOpenclawSecretsAuditVerifier(deps: { exec: Exec; baseEnv: Record<string, string>; sink: (kind: string) => Sink; probe?: KeyProbe }): Verifier {
  return {
    kind: 'openclaw-secrets-audit',
    async verify(t, expected, signal, ctx): Promise<VerifyResult> {
      const c = cfg(t);
      const fail = (code: VerifyFailure, reason: string, diagnosis?: string): VerifyResult => ({ ok: false, layer: t.layer, code, reason, ...(diagnosis ? { diagnosis } : {}) });
      if (expected === null) return fail('error', 'nothing to verify against');
      const held = await deps.sink(t.sink.kind).read(t, signal);
      if (!held || !held.equals(expected)) return fail('mismatch', `${t.id}: ${t.sink.kind === 'keychain' ? 'the keychain item' : 'the secrets file'} does not hold ${expected.fingerprint}`);
      // an exec SecretRef (rekey openclaw resolve) is resolved only with --allow-exec
      const audit = await runOpenclaw(deps.exec, c, ['secrets', 'audit', '--json', ...(t.sink.kind === 'keychain' ? ['--allow-exec'] : [])], { baseEnv: deps.baseEnv, timeoutMs: c.timeoutMs, signal });
      const a = parseCliJson<AuditJson>(audit.stdout);
      if (!a) return fail('error', `openclaw secrets audit printed no JSON (exit ${audit.code})`);
      if (audit.code === 2 || (a.summary?.unresolvedRefCount ?? 0) > 0) {
        const refs = (a.findings ?? []).filter((x) => /UNRESOLVED/i.test(x.code ?? '')).map((x) => x.jsonPath).join(', ');
        return fail('missing', `OpenClaw cannot resolve ${a.summary?.unresolvedRefCount ?? 'some'} SecretRef(s)${refs ? `: ${refs}` : ''}`, 'the file, its mode or the pointer does not match the secrets provider');
      }
      const agent = c.agent ?? t.agent;
      // the same call as the source lookup's for this target (one process per run)
      const st = await runModelsStatus(deps.exec, c, agent, { baseEnv: deps.baseEnv, extraEnv: {}, timeoutMs: c.timeoutMs, signal });
      const p = parseCliJson<StatusJson>(st.stdout)?.auth?.providers?.find((x) => x.provider === t.provider);
      const kind = p?.effective?.kind;
      if (kind === 'profiles') {
        return fail('shadowed', `a stored auth profile shadows the SecretRef for ${t.provider} (agent ${agent})`, `OpenClaw prefers stored profiles: ${(p?.profiles?.labels ?? []).map((l) => l.split('=')[0]).join(', ')} wins; remove it or deliver through the openclaw-auth-profile sink`);
      }
      if (kind === 'env') return fail('shadowed', `an env key shadows the SecretRef for ${t.provider} (agent ${agent})`, 'remove the provider key from the service environment and ~/.openclaw/.env');
      if (!p || kind === 'missing') return fail('missing', `OpenClaw (agent ${agent}) sees no key for ${t.provider}`);
      const detail = `agent ${agent}: ${t.provider} from the SecretRef (${p.effective?.detail ?? kind}), file holds ${expected.fingerprint}, audit resolves every ref`;
      if (!ctx?.forward || t.layer !== 'provider-key') return { ok: true, detail };
      // the value the consumer reads (the file or item it resolves) must be accepted upstream
      const up = await probeHeld(t, held, deps.probe, signal);
      if ('fail' in up) return fail(up.fail.code, up.fail.reason, up.fail.diagnosis);
      return { ok: true, detail: `${detail}; ${up.proven}` };
    },
  };
}
