/**
 * `rekey doctor`'s findings: one stable code each (monitoring keys on them; docs/doctor.md lists
 * every one with its meaning and fix, checked by a test). Evidence holds names, paths, times and
 * fingerprints only.
 */

export type Severity = 'fail' | 'warn' | 'info';
export type Category = 'layer' | 'wiring' | 'binary' | 'sources' | 'token' | 'residue' | 'rotation' | 'doctor';
/** which auth layer a finding is about (host: neither, e.g. a binary split) */
export type FindingLayer = 'gateway-token' | 'provider-key' | 'host';

export interface CodeInfo {
  category: Category;
  severity: Severity;
  meaning: string;
}

export const FINDING_CODES = {
  GATEWAY_UNREACHABLE: { category: 'layer', severity: 'fail', meaning: 'the Gateway does not answer RPC (`openclaw gateway health --json --port P` with its own config): not running, not listening, or still starting' },
  GATEWAY_REFUSES_OWN_TOKEN: { category: 'layer', severity: 'fail', meaning: "the Gateway refuses the token its own openclaw.json holds (token mismatch, WebSocket close 1008): the Gateway session layer is broken for every local client" },
  GATEWAY_TOKEN_MISMATCH: { category: 'layer', severity: 'fail', meaning: "a Gateway token consumer does not work with the backend's current token (the verifier's check failed): a client holds another token, or the Gateway refuses it" },
  GATEWAY_TOKEN_UNVERIFIED: { category: 'layer', severity: 'warn', meaning: 'the Gateway token check could not be run to the end (an error, not a refusal)' },
  PROVIDER_KEY_MISSING: { category: 'layer', severity: 'fail', meaning: 'OpenClaw sees no key for the provider for this agent ("No API key for provider"), or the unit runs no process holding it' },
  PROVIDER_KEY_MISMATCH: { category: 'layer', severity: 'fail', meaning: "the key OpenClaw (or the running process) uses is not the backend's current version" },
  PROVIDER_KEY_SHADOWED: { category: 'layer', severity: 'fail', meaning: 'another source (a stored auth profile) wins over the key rekey delivers' },
  PROVIDER_KEY_WRONG_SOURCE: { category: 'layer', severity: 'fail', meaning: 'OpenClaw takes the key from another source or variable than the one rekey delivers' },
  PROVIDER_KEY_REJECTED: { category: 'layer', severity: 'fail', meaning: "the provider refuses the backend's current key (its model listing answers 401/403): OpenClaw resolves a key that does not work" },
  PROVIDER_KEY_UNVERIFIED: { category: 'layer', severity: 'warn', meaning: 'the provider-key check could not be run to the end (an error, or the provider could not be reached)' },
  UNIT_DOES_NOT_READ_FILE: { category: 'wiring', severity: 'fail', meaning: "the unit has no EnvironmentFile= for the file rekey writes (or the unit is unknown): the service never sees the key" },
  SERVICE_MANAGER_UNREACHABLE: { category: 'wiring', severity: 'fail', meaning: "the service manager cannot be asked (no user manager for this user, XDG_RUNTIME_DIR unset): no unit can be checked or restarted" },
  SERVICE_NOT_RUNNING: { category: 'wiring', severity: 'fail', meaning: 'the unit that should hold the credential runs no process' },
  SERVICE_ENV_MISSING: { category: 'wiring', severity: 'fail', meaning: "the unit's running process does not have the variable at all" },
  SERVICE_NOT_RESTARTED: { category: 'wiring', severity: 'fail', meaning: 'the file was written after the running process started, and the process holds another value: the service was not restarted' },
  SERVICE_ENV_OVERRIDDEN: { category: 'wiring', severity: 'fail', meaning: "the process started after the file was written but holds another value: systemd read it from elsewhere (a later EnvironmentFile= or Environment= line)" },
  SINK_BEHIND_BACKEND: { category: 'wiring', severity: 'fail', meaning: "the sink does not hold the backend's current version (a rotation did not finish here, or someone edited it)" },
  SINK_FILE_MISSING: { category: 'wiring', severity: 'fail', meaning: 'the file rekey delivers to does not exist' },
  SINK_FILE_SYMLINK: { category: 'wiring', severity: 'fail', meaning: 'the file rekey delivers to is a symlink (rekey refuses to write through it)' },
  SINK_FILE_OWNER: { category: 'wiring', severity: 'fail', meaning: 'the file is owned by another user than the one the policy names (rekey refuses to write it)' },
  SINK_FILE_MODE: { category: 'wiring', severity: 'warn', meaning: 'the file holding the credential is readable or writable beyond its owner (wider than 0600)' },
  OPENCLAW_BINARY_SPLIT: { category: 'binary', severity: 'warn', meaning: 'the openclaw the unit runs and the one on your PATH are different versions: they can read different credential stores, so what you check by hand is not what the service does' },
  VERIFIER_BINARY_SPLIT: { category: 'binary', severity: 'warn', meaning: "the openclaw the policy's verifier runs is another version than the unit's: a verification may pass where the service fails" },
  OPENCLAW_NOT_ON_PATH: { category: 'binary', severity: 'info', meaning: "no openclaw on your PATH: the manual runbook commands need the unit's (shown)" },
  SOURCE_SHADOWED: { category: 'sources', severity: 'fail', meaning: 'another source wins over the place rekey delivers to (source precedence: stored profile > process env > .env > env.vars > config apiKey)' },
  PROFILE_COOLDOWN: { category: 'sources', severity: 'warn', meaning: 'a stored profile for the provider is in cooldown or disabled after provider errors (a 401 on a revoked key)' },
  STALE_ALTERNATE: { category: 'sources', severity: 'warn', meaning: 'the process environment holds an alternate of the key (<P>_API_KEYS, <P>_API_KEY_*, OPENCLAW_LIVE_<P>_KEY) that OpenClaw uses on retries: a live copy of some value' },
  KEY_IN_DOTENV: { category: 'sources', severity: 'warn', meaning: "<stateDir>/.env sets the key but rekey does not deliver there: an unmanaged copy (it wins over env.vars and the config's apiKey)" },
  KEY_IN_CONFIG: { category: 'sources', severity: 'warn', meaning: "openclaw.json holds the key in plain text (env.vars or models.providers.<P>.apiKey) and rekey does not deliver there" },
  TOKEN_DRIFT: { category: 'token', severity: 'fail', meaning: "the Gateway token's holders (server config, clients) do not all hold the same token" },
  TOKEN_IN_UNIT_ENV: { category: 'token', severity: 'warn', meaning: "the Gateway unit's environment has OPENCLAW_GATEWAY_TOKEN while openclaw.json sets gateway.auth.token: the config wins on the server, the env copy is stale or misleading" },
  RESIDUE_OLD_VALUE: { category: 'residue', severity: 'warn', meaning: 'an OpenClaw backup (.bak*, .last-good, *.migrated-*) still holds an old value of the secret in plain text' },
  ROTATION_OVERDUE: { category: 'rotation', severity: 'fail', meaning: "the current version is older than the secret's maxAge" },
  ROTATION_DUE_SOON: { category: 'rotation', severity: 'warn', meaning: 'the current version reaches maxAge within the schedule lead time' },
  NO_CURRENT_VERSION: { category: 'rotation', severity: 'fail', meaning: 'the backend holds no current version for a ref this host delivers' },
  ROTATION_UNFINISHED: { category: 'rotation', severity: 'fail', meaning: 'a rotation stopped half-way (killed, or rollback failed): consumers may hold the pending value' },
  ROTATION_LOCK_STALE: { category: 'rotation', severity: 'warn', meaning: 'a lock is held by a process that is gone' },
  RETIREMENT_PENDING: { category: 'rotation', severity: 'warn', meaning: 'an old credential is past its retirement date and still not retired upstream' },
  STANDBY_LOW: { category: 'rotation', severity: 'warn', meaning: "the standby pool holds fewer keys than the secret's minStandby: a revoke may have nothing to reissue" },
  CI_LEASE_EXPIRED: { category: 'rotation', severity: 'fail', meaning: "a CI runner's lease is past its expiry and was not ended: its key may still work upstream and still sits at the runner's path" },
  CHECK_FAILED: { category: 'doctor', severity: 'warn', meaning: 'a check could not run (the message says which and why): its part of the setup is not known to be healthy' },
} as const satisfies Record<string, CodeInfo>;

export type FindingCode = keyof typeof FINDING_CODES;

export interface Finding {
  code: FindingCode;
  severity: Severity;
  category: Category;
  layer: FindingLayer;
  /** the secret, target id, unit or file it is about */
  subject: string;
  message: string;
  /** names, paths, times and fingerprints: never a value */
  evidence: Record<string, string | number | boolean | string[]>;
  /** the exact next command (often a rekey command) */
  next: string;
}

export function finding(code: FindingCode, layer: FindingLayer, subject: string, message: string, next: string, evidence: Finding['evidence'] = {}): Finding {
  const info: CodeInfo = FINDING_CODES[code];
  return { code, severity: info.severity, category: info.category, layer, subject, message, evidence, next };
}

/** 0 healthy (info only), 1 a failure, 2 warnings only: as `rekey status --check` and `openclaw models status --check` */
export function doctorExitCode(fs: readonly Finding[]): 0 | 1 | 2 {
  if (fs.some((f) => f.severity === 'fail')) return 1;
  return fs.some((f) => f.severity === 'warn') ? 2 : 0;
}
