import type { OpenclawCli } from '../../src/core/openclaw.js';

/** An OpenclawCli port whose methods a test did not script fail loudly. */
export function fakeOpenclaw(scripted: Partial<OpenclawCli>): OpenclawCli {
  const no = (m: string) => () => Promise.reject(new Error(`fake OpenclawCli: ${m} not scripted by this test`));
  return { sources: no('sources'), secretsApply: no('secretsApply'), devices: no('devices'), rotateDevice: no('rotateDevice'), revokeDevice: no('revokeDevice'), removeDevice: no('removeDevice'), reloadSecrets: no('reloadSecrets'), gatewayStatus: no('gatewayStatus'), version: no('version'), unusableProfiles: no('unusableProfiles'), configToken: no('configToken'), ...scripted };
}
