import { z } from 'zod';

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const systemdEnvFileSinkConfig = z
  .strictObject({
    kind: z.literal('systemd-env-file'),
    /** the file the unit reads via EnvironmentFile= (OpenClaw: <stateDir>/gateway.systemd.env) or ~/.openclaw/.env; templates {agent} {env} */
    path: z.string().min(1),
    /** the variable to set; default: the secret's envVar */
    key: z.string().regex(ENV_NAME, 'must be a valid environment variable name').optional(),
    /** numeric uid or user name that must own the file; default: the user rekey runs as */
    owner: z.union([z.number().int().nonnegative(), z.string().min(1)]).optional(),
    /** also remove stale alternates of a provider key (<P>_API_KEYS, <P>_API_KEY_*, OPENCLAW_LIVE_<P>_KEY) */
    removeAlternates: z.boolean().default(true),
  })
  .describe("An EnvironmentFile= of the Gateway's user unit; needs a restart.");
export type SystemdEnvFileSinkConfig = z.infer<typeof systemdEnvFileSinkConfig>;
