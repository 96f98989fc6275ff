import { z } from 'zod';
import type { ServiceSpec } from '../../src/core/adapters.js';

export const systemdUserServiceConfig = z
  .strictObject({
    kind: z.literal('systemd-user'),
    /** e.g. openclaw-gateway.service; templates {agent} {env} */
    unit: z.string().regex(/^[A-Za-z0-9@_.:{}\\-]+$/, 'must be a systemd unit name'),
    /** how long to wait for the unit to be active again */
    startTimeoutMs: z.number().int().positive().max(600_000).default(30_000),
    /** how long it must stay up (same PID) to count as started */
    settleMs: z.number().int().nonnegative().max(60_000).default(1_500),
  })
  .describe('A systemd --user unit (Linux).');
export type SystemdUserServiceConfig = z.infer<typeof systemdUserServiceConfig>;

declare module '../../src/core/adapters.js' {
  interface ServiceConfigs {
    'systemd-user': SystemdUserServiceConfig;
  }
}

export const systemdUserServiceSpec: ServiceSpec<SystemdUserServiceConfig> = {
  kind: 'systemd-user',
  resolve: (c, tpl) => ({ ...c, unit: tpl.text(c.unit) }),
};
