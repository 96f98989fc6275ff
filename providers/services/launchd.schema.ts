import { z } from 'zod';
import type { ServiceSpec } from '../../src/core/adapters.js';
import { resolveUnit, restartFields } from '../spec-helpers.js';

export const launchdServiceConfig = z
  .strictObject({
    kind: z.literal('launchd'),
    /** the job's Label, e.g. ai.openclaw.gateway (OpenClaw's LaunchAgent); templates {agent} {env} */
    unit: z.string().regex(/^[A-Za-z0-9_.{}\-]+$/, 'must be a launchd label'),
    /** gui/<uid> for a LaunchAgent in a login session (OpenClaw's), user/<uid> without one */
    domain: z.enum(['gui', 'user']).default('gui'),
    /** the job's plist; default ~/Library/LaunchAgents/<label>.plist */
    plist: z.string().min(1).optional(),
    ...restartFields,
  })
  .describe('A launchd LaunchAgent (macOS): launchctl kickstart -k, then a bounded wait on launchctl print.');
export type LaunchdServiceConfig = z.infer<typeof launchdServiceConfig>;

declare module '../../src/core/adapters.js' {
  interface ServiceConfigs { 'launchd': LaunchdServiceConfig }
}

export const launchdServiceSpec: ServiceSpec<LaunchdServiceConfig> = {
  kind: 'launchd',
  resolve: resolveUnit,
};
