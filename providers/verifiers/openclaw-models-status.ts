import type { AdapterCatalog } from '../../src/core/adapters.js';
import { InternalError } from '../../src/core/errors.js';
import { childMessage } from '../../src/core/child-output.js';
import type { Exec, KeyProbe, Verifier, VerifyContext, VerifyFailure, VerifyResult } from '../../src/core/ports.js';
import type { SecretValue } from '../../src/core/secret-value.js';
import type { Target } from '../../src/core/target.js';
import { openclawMask } from './openclaw-mask.js';
import { revealAll, runModelsStatus } from '../openclaw/models-status.js';
import { probeHeld } from './upstream-probe.js';
import type { OpenclawModelsStatusVerifierConfig } from './openclaw-models-status.schema.js';

/** what a consumer holds: its running process's real environment, or what it gets at its next start */
export interface ConsumerView {
  vars: Record<string, SecretValue>;
  /** the process `vars` were read from; null = rebuilt from the unit's files (no process, or not visible) */
  process: { pid: number; unit: string; child: boolean } | null;
  /** the service manager can see processes: a service target with no process then fails */
  seesProcesses: boolean;
}

export interface ModelsStatusDeps {
  exec: Exec;
  /** how the target's sink is read by its consumer */
  adapters: AdapterCatalog;
  consumer(target: Target, signal: AbortSignal): Promise<ConsumerView>;
  /** asks the provider whether it accepts the key the consumer holds (after a delivery) */
  probe?: KeyProbe;
  /** null if the unit still runs `pid` once it has been up `aliveMs`, else why not */
  alive?: (target: Target, proc: { pid: number; child: boolean }, aliveMs: number, signal: AbortSignal) => Promise<string | null>;
  /** what the child needs besides the service env: PATH, HOME, LANG… (never rekey's own secrets) */
  baseEnv: Record<string, string>;
}

interface ProviderStatus {
  provider: string;
  effective?: { kind?: string; detail?: string };
  profiles?: { count?: number; labels?: string[] };
  env?: { value?: string; source?: string };
}

interface ModelsStatusJson {
  auth?: { providers?: ProviderStatus[]; missingProvidersInUse?: string[]; unusableProfiles?: { profileId?: string; kind?: string; reason?: string; remainingMs?: number }[] };
}

const cfg = (t: Target): OpenclawModelsStatusVerifierConfig => {
  if (t.verify.kind !== 'openclaw-models-status') throw new InternalError(`target ${t.id} is not verified by openclaw-models-status`);
  return t.verify;
};


/**
 * `openclaw models status --json --check --agent A` run as a CLI-local view with exactly the
 * environment the service will have. Passes only if the provider's effective source is the env
 * variable rekey delivered and its masked hint matches the expected value. A stored auth profile
 * that wins over the env key is reported as shadowing, not as a generic failure.
 */
export function createOpenclawModelsStatusVerifier(deps: ModelsStatusDeps): Verifier {
  const check = async (t: Target, expected: SecretValue | null, signal: AbortSignal): Promise<VerifyResult & { process?: { pid: number; child: boolean } }> => {
      const c = cfg(t);
      const fail = (code: VerifyFailure, reason: string, diagnosis?: string): VerifyResult => ({ ok: false, layer: 'provider-key', code, reason, ...(diagnosis ? { diagnosis } : {}) });
      if (expected === null) return fail('error', 'nothing to verify against');
      const view = await deps.consumer(t, signal);
      // the credential is in the consumer's environment (env file or `rekey exec`): the running
      // process must hold exactly the expected value, whatever the files say
      const sink = deps.adapters.sink(t.sink.kind);
      const reads = sink.reads(t.sink);
      const inEnv = reads === 'env-file' || reads === 'exec-env';
      if (t.service && inEnv && view.seesProcesses) {
        if (!view.process) return fail('missing', `user unit ${t.service.unit} runs no process: nothing holds ${t.envVar}`, `systemctl --user status ${t.service.unit}`);
        const held = view.vars[t.envVar];
        if (!held || !held.equals(expected)) {
          return fail(
            'mismatch',
            `the running process of ${view.process.unit} (pid ${view.process.pid}) holds ${t.envVar} = ${held?.fingerprint ?? 'unset'}, not ${expected.fingerprint}`,
            'systemd read the environment differently (another EnvironmentFile= or Environment= sets it later, or the file did not load), or the process was not restarted',
          );
        }
      }
      const serviceEnv = revealAll(view.vars);
      const agent = c.agent ?? t.agent;
      // the run's one models-status call for this consumer (the source lookup reads the same)
      const r = await runModelsStatus(deps.exec, c, agent, { baseEnv: deps.baseEnv, extraEnv: serviceEnv, timeoutMs: c.timeoutMs, signal });
      if (r.timedOut) return fail('error', `openclaw models status timed out after ${c.timeoutMs} ms`);
      let json: ModelsStatusJson;
      try {
        json = JSON.parse(r.stdout) as ModelsStatusJson;
      } catch {
        return fail('error', `openclaw models status printed no JSON (exit ${r.code}): ${childMessage(r, [expected], 500)}`);
      }
      const provider = t.provider ?? '';
      const p = json.auth?.providers?.find((x) => x.provider === provider);
      const want = openclawMask(expected.reveal());
      if (reads === 'profile') {
        if (!p) return fail('missing', `OpenClaw (agent ${agent}) lists no credential for provider ${provider}`, `openclaw models auth list --agent ${agent}`);
        // <agent>/<profile id>, as the sink's adapter names what it touches
        const profileId = (sink.touches(t.sink, t).profiles[0] ?? '').split('/').slice(1).join('/');
        const cooling = (json.auth?.unusableProfiles ?? []).find((u) => u.profileId === profileId);
        return verifyProfile(profileId, p, p.effective?.kind, want, expected, agent, provider, fail, r.code, cooling);
      }
      if (!p || p.effective?.kind === 'missing' || json.auth?.missingProvidersInUse?.includes(provider)) {
        return fail(
          'missing',
          `OpenClaw (agent ${agent}) sees no key for provider ${provider}`,
          `No API key for provider ${provider}: the service environment has ${t.envVar} ${t.envVar in serviceEnv || t.envVar in deps.baseEnv ? 'set' : 'unset'}; check that the unit reads the file rekey wrote and that the agent's model uses ${provider}`,
        );
      }
      const kind = p.effective?.kind;
      if (kind === 'profiles') {
        const labels = (p.profiles?.labels ?? []).map((l) => l.split('=')[0]).join(', ');
        return fail(
          'shadowed',
          `a stored auth profile shadows the env key for ${provider} (agent ${agent})`,
          `OpenClaw prefers stored profiles over env: ${labels || 'a profile'} wins over ${t.envVar}. Remove it (openclaw models auth logout <id> --yes --agent ${agent}) or deliver through the openclaw-auth-profile sink.`,
        );
      }
      if (kind !== 'env') return fail('wrong-source', `OpenClaw's effective source for ${provider} is "${kind ?? 'unknown'}", not the env variable rekey delivered`);
      const source = p.env?.source ?? '';
      if (source && !source.includes(t.envVar)) {
        return fail('wrong-source', `OpenClaw reads ${provider}'s key from ${source}, not ${t.envVar}`, 'another env name wins: remove it or point the policy at it');
      }
      if (p.effective?.detail !== want) {
        return fail(
          'mismatch',
          `OpenClaw's effective key for ${provider} is not the one rekey delivered (expected ${expected.fingerprint})`,
          'another source sets the same variable later (a second EnvironmentFile=, ~/.openclaw/.env, env.vars in openclaw.json) or the delivery did not land',
        );
      }
      const note = r.code === 0 ? '' : r.code === 2 ? ' (a credential expires within 24 h)' : ` (models status --check exit ${r.code} for other providers)`;
      const where = view.process ? `, held by pid ${view.process.pid}` : '';
      return { ok: true, detail: `agent ${agent}: ${provider} from ${t.envVar} = ${expected.fingerprint}${where}${note}`, ...(view.process ? { process: view.process } : {}) };
  };
  return {
    kind: 'openclaw-models-status',
    async verify(t, expected, signal, ctx?: VerifyContext): Promise<VerifyResult> {
      const r = await check(t, expected, signal);
      return r.ok && ctx?.forward && expected ? upstreamAndAlive(t, expected, r, signal, deps) : r;
    },
  } satisfies Verifier;
}

/**
 * After a delivery, what OpenClaw resolved is not enough: the provider must accept the key the
 * consumer holds (rekey's probe, policy `probe`), and the consumer must still be alive, the same
 * process, once it has run `aliveMs`. The detail says what was proven.
 */
async function upstreamAndAlive(t: Target, held: SecretValue, r: VerifyResult & { ok: true; process?: { pid: number; child: boolean } }, signal: AbortSignal, deps: ModelsStatusDeps): Promise<VerifyResult> {
  const fail = (code: VerifyFailure, reason: string, diagnosis?: string): VerifyResult => ({ ok: false, layer: 'provider-key', code, reason, ...(diagnosis ? { diagnosis } : {}) });
  const up = await probeHeld(t, held, deps.probe, signal);
  if ('fail' in up) return fail(up.fail.code, up.fail.reason, up.fail.diagnosis);
  const c = cfg(t);
  if (deps.alive && r.process) {
    const why = await deps.alive(t, r.process, c.aliveMs, signal);
    if (why) return fail('died', why, t.service ? `journalctl --user -u ${t.service.unit} -n 50` : undefined);
  }
  return { ok: true, detail: `${r.detail}; ${up.proven}` };
}

/** A stored-profile delivery: the profile must be stored, be the only one for the provider (else another may win), and carry the expected masked key. */
function verifyProfile(
  id: string,
  p: ProviderStatus,
  kind: string | undefined,
  want: string,
  expected: SecretValue,
  agent: string,
  provider: string,
  fail: (code: VerifyFailure, reason: string, diagnosis?: string) => VerifyResult,
  exit: number | null,
  cooling: { kind?: string; reason?: string; remainingMs?: number } | undefined,
): VerifyResult {
  // labels: "<id>=<mask>" with an optional " [cooldown 1m]"-style suffix
  const labels = (p.profiles?.labels ?? []).map((l) => {
    const i = l.indexOf('=');
    return { id: i < 0 ? l : l.slice(0, i), mask: i < 0 ? '' : l.slice(i + 1).replace(/ \[[^\]]*\]$/, '') };
  });
  const ours = labels.find((l) => l.id === id);
  const others = labels.filter((l) => l.id !== id).map((l) => l.id);
  if (!ours) return fail('missing', `profile ${id} is not stored for agent ${agent}`, `openclaw models auth list --agent ${agent}`);
  if (kind !== 'profiles') return fail('wrong-source', `OpenClaw's effective source for ${provider} is "${kind ?? 'unknown'}", not the stored profiles`);
  if (others.length) {
    return fail('shadowed', `other stored profiles for ${provider} (agent ${agent}) may win over ${id}: ${others.join(', ')}`, `remove them (openclaw models auth logout <id> --yes --agent ${agent}) so ${id} is the only one`);
  }
  if (ours.mask !== want) return fail('mismatch', `profile ${id} does not hold the key rekey delivered (expected ${expected.fingerprint})`, 'another writer changed the profile, or the paste did not land');
  // the profile holds the expected key, but the provider refused it recently: that is the state a
  // revoke-and-reissue starts from, and the next delivery logs the profile out (clearing it)
  const note = cooling
    ? ` (in ${cooling.kind ?? 'cooldown'} after a provider ${cooling.reason ?? 'error'}: the next delivery clears it)`
    : exit === 0 || exit === 1
      ? ''
      : exit === 2
        ? ' (a credential expires within 24 h)'
        : ` (models status --check exit ${exit})`;
  return { ok: true, detail: `agent ${agent}: ${provider} from profile ${id} = ${expected.fingerprint}${note}` };
}
