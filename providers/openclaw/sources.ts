/**
 * Looks at every place a target's provider key could come from (read-only): stored profiles via
 * `openclaw models auth list --json` (the target's agent and main) for a profile delivery, else
 * `openclaw models status --json` (the profiles the agent would use), the unit's `Environment=` and
 * each `EnvironmentFile=`, whether the unit starts through `rekey exec`, <stateDir>/.env,
 * `env.vars` and `models.providers.<P>.apiKey` in openclaw.json. Names and paths only.
 */
import type { Exec, ServiceManager } from '../../src/core/ports.js';
import { openclawOf, type Target } from '../../src/core/target.js';
import { readNoFollow } from '../../src/io/atomic-write.js';
import { parseEnvBytes } from '../../src/io/env-file.js';
import type { SourceObservation } from '../../src/core/openclaw.js';
import type { AdapterCatalog } from '../../src/core/adapters.js';
import { startsThroughRekeyExec } from '../../src/usecases/preflight.js';
import { parseCliJson, runOpenclaw } from './cli.js';
import { modelsStatusOf, verifierAgent } from './models-status.js';
import type { SecretValue } from '../../src/core/secret-value.js';

type StatusJson = { auth?: { providers?: { provider?: string; profiles?: { labels?: string[] } }[] } };

export interface SourcesDeps {
  exec: Exec;
  /** the consumer's environment, as the models-status verifier sees it */
  consumerEnv?: (t: Target, signal: AbortSignal) => Promise<Record<string, SecretValue>>;
  baseEnv: Record<string, string>;
  home: string;
  service: (svc: NonNullable<Target['service']>) => ServiceManager;
  adapters: AdapterCatalog;
}

export async function observeSources(t: Target, deps: SourcesDeps, signal: AbortSignal): Promise<SourceObservation> {
  const oc = openclawOf(t);
  const stateDir = oc?.stateDir ?? `${deps.home}/.openclaw`;
  const configPath = oc?.configPath ?? `${stateDir}/openclaw.json`;
  const provider = t.provider ?? '';
  const profiles: SourceObservation['profiles'] = [];
  const notes: string[] = [];
  const spec = deps.adapters.sink(t.sink.kind);
  // a stored profile's own agent (the sink may name another agent's store); else the OpenClaw agent
  // the verifier asks about (verify.agent), which may differ from the policy's agent name
  const profileAgent = spec.touches(t.sink, t).profiles[0]?.split('/')[0] ?? verifierAgent(t);
  // the unit's side (service-manager queries) runs beside the openclaw call below
  const fromService = serviceSources(t, deps, signal);
  fromService.catch(() => undefined); // awaited below; not unhandled if the openclaw side throws first
  if (oc && spec.reads(t.sink) === 'profile') {
    for (const agent of [...new Set([profileAgent, 'main'])]) {
      // the same call the auth-profile sink makes (no --provider; filtered here), with its time
      // bound (sink.timeoutMs): one run answers both once, whichever starts it
      const r = await runOpenclaw(deps.exec, oc, ['models', 'auth', 'list', '--json', '--agent', agent], { baseEnv: deps.baseEnv, timeoutMs: (t.sink as { timeoutMs?: number }).timeoutMs ?? oc.timeoutMs ?? 60_000, signal });
      const out = parseCliJson<{ profiles?: { id?: string; provider?: string }[] }>(r.stdout);
      if (r.code === 0 && out) profiles.push({ agent, ids: (out.profiles ?? []).filter((p) => p.provider === provider && p.id).map((p) => p.id!) });
      else notes.push(`stored profiles of agent ${agent} not listed (openclaw models auth list exit ${r.code})`);
    }
  } else if (oc) {
    // not a profile delivery: any stored profile for the provider shadows it. `models status` lists
    // the profiles the agent would use (its own, else main's) in a quarter of `auth list`'s time
    // (~4 s vs ~16 s measured with 2026.9.6). A target verified by models-status reads its
    // verifier's own call (same argv and environment: the run's memo answers both, and doctor's
    // cooldown check, with one process)
    const got = await modelsStatusOf<StatusJson>(deps, t, signal, profileAgent);
    const out = got?.json;
    if (out) {
      const labels = out.auth?.providers?.find((p) => p.provider === provider)?.profiles?.labels ?? [];
      profiles.push({ agent: profileAgent, ids: labels.map((l) => l.split('=')[0]!.trim()).filter(Boolean) });
    } else notes.push(`stored profiles of agent ${profileAgent} not listed (openclaw models status exit ${got?.r.code})`);
  }
  const { processEnv, injectedByExec } = await fromService;
  const dotEnvPath = `${stateDir}/.env`;
  const dot = await readNoFollow(dotEnvPath).catch(() => null);
  const config = await readNoFollow(configPath).catch(() => null);
  let json: { env?: { vars?: Record<string, unknown> }; models?: { providers?: Record<string, { apiKey?: unknown }> } } = {};
  try {
    json = config ? JSON.parse(config.toString('utf8')) : {};
  } catch {
    json = {};
    notes.push(`${configPath} is not plain JSON: env.vars and the config apiKey not looked at`);
  }
  const apiKey = json.models?.providers?.[provider]?.apiKey;
  if (!oc) notes.push('no openclaw command in this delivery: stored profiles not looked at');
  return {
    notes,
    profiles,
    processEnv,
    injectedByExec,
    dotEnv: { path: dotEnvPath, sets: dot !== null && parseEnvBytes(dot).has(t.envVar) },
    envVars: { path: configPath, sets: json.env?.vars?.[t.envVar] !== undefined },
    configApiKey:
      apiKey === undefined || apiKey === null || apiKey === ''
        ? { path: configPath, kind: 'none' }
        : typeof apiKey === 'string'
          ? { path: configPath, kind: 'string' }
          : { path: configPath, kind: 'secretref', ref: JSON.stringify(apiKey) },
  };
}

/** what the unit's own configuration sets: its `Environment=`, each `EnvironmentFile=`, a start through `rekey exec` */
async function serviceSources(t: Target, deps: SourcesDeps, signal: AbortSignal): Promise<Pick<SourceObservation, 'processEnv' | 'injectedByExec'>> {
  const processEnv: SourceObservation['processEnv'] = [];
  if (!t.service) return { processEnv, injectedByExec: false };
  const svc = deps.service(t.service);
  const env = await svc.environment(t.service.unit, signal);
  const fromFiles = new Map<string, boolean>();
  for (const f of env.files) {
    const bytes = await readNoFollow(f).catch(() => null);
    fromFiles.set(f, bytes !== null && parseEnvBytes(bytes).has(t.envVar));
  }
  // Environment= set it if the merged view has it and no file does
  const inline = t.envVar in env.vars && ![...fromFiles.values()].some(Boolean);
  processEnv.push({ where: `${t.service.unit} Environment=`, sets: inline });
  for (const [f, sets] of fromFiles) processEnv.push({ where: f, sets });
  const injectedByExec = startsThroughRekeyExec(await svc.startCommand(t.service.unit, signal), t.agent, t.env) && deps.adapters.sink(t.sink.kind).reads(t.sink) === 'exec-env';
  return { processEnv, injectedByExec };
}
