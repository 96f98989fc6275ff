/** The OpenclawCli port's adapter: the openclaw CLI a target names, run with rekey's base environment. */
import type { AdapterCatalog } from '../../src/core/adapters.js';
import { UsageError } from '../../src/core/errors.js';
import type { OpenclawCli } from '../../src/core/openclaw.js';
import type { Exec, ServiceManager } from '../../src/core/ports.js';
import type { SecretValue } from '../../src/core/secret-value.js';
import { openclawOf, type Target } from '../../src/core/target.js';
import { secretsReload } from './cli.js';
import { configToken, gatewayStatus, openclawVersion, unusableProfiles } from './doctor-reads.js';
import { listDevices, removeDevice, revokeDevice, rotateDevice } from './devices.js';
import { secretsApply } from './secrets-apply.js';
import { observeSources } from './sources.js';

export interface OpenclawCliDeps {
  exec: Exec;
  baseEnv: Record<string, string>;
  home: string;
  /** where `secrets apply` plans are kept for the operator to read */
  planDir: string;
  service: (svc: NonNullable<Target['service']>) => ServiceManager;
  adapters: AdapterCatalog;
  /** the consumer's environment as the models-status verifier sees it (one models-status call per target and run) */
  consumerEnv?: (t: Target, signal: AbortSignal) => Promise<Record<string, SecretValue>>;
}

const requireOpenclaw = (t: Target) => {
  const oc = openclawOf(t);
  if (!oc) throw new UsageError('NO_OPENCLAW_COMMAND', `${t.id}: no openclaw command in its sink or verifier`);
  return oc;
};

export function createOpenclawCli(deps: OpenclawCliDeps): OpenclawCli {
  const { exec, baseEnv } = deps;
  return {
    sources: (t, signal) => observeSources(t, deps, signal),
    secretsApply: (t, plan, o) => secretsApply({ exec, baseEnv }, requireOpenclaw(t), plan, deps.planDir, o),
    devices: (t, signal) => listDevices(exec, requireOpenclaw(t), baseEnv, signal),
    rotateDevice: (t, device, role, signal) => rotateDevice(exec, requireOpenclaw(t), baseEnv, device, role, signal),
    revokeDevice: (t, device, role, signal) => revokeDevice(exec, requireOpenclaw(t), baseEnv, device, role, signal),
    removeDevice: (t, device, signal) => removeDevice(exec, requireOpenclaw(t), baseEnv, device, signal),
    reloadSecrets: async (t, signal) => {
      // the keychain sink's reload: the OpenClaw whose exec SecretRef resolves the item
      const reload = (t.sink as { reload?: { command: string[]; stateDir?: string; configPath?: string; timeoutMs: number } }).reload;
      if (reload) await secretsReload(exec, reload, baseEnv, t.id, signal);
    },
    gatewayStatus: (o, env, port, signal) => gatewayStatus(exec, baseEnv, o, env, port, signal),
    version: (command, signal) => openclawVersion(exec, baseEnv, command, signal),
    unusableProfiles: (t, signal) => unusableProfiles(deps, t, signal),
    configToken: (o) => configToken(o, deps.home),
  };
}
