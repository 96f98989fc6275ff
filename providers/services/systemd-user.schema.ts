import { z } from 'zod';
import type { ServiceSpec } from '../../src/core/adapters.js';
import { resolveUnit, restartFields } from '../spec-helpers.js';

export const systemdUserServiceConfig = z
  .strictObject({
    kind: z.literal('systemd-user'),
    /** e.g. openclaw-gateway.service; templates {agent} {env} */
    unit: z.string().regex(/^[A-Za-z0-9@_.:{}\\-]+$/, 'must be a systemd unit name'),
    ...restartFields,
  })
  .describe('A systemd --user unit (Linux).');
export type SystemdUserServiceConfig = z.infer<typeof systemdUserServiceConfig>;

declare module '../../src/core/adapters.js' {
  interface ServiceConfigs { 'systemd-user': SystemdUserServiceConfig }
}

export const systemdUserServiceSpec: ServiceSpec<SystemdUserServiceConfig> = {
  kind: 'systemd-user',
  resolve: resolveUnit,
};
