import { z } from 'zod';

export const openclawSecretsAuditVerifierConfig = z
  .strictObject({
    kind: z.literal('openclaw-secrets-audit'),
    command: z.array(z.string().min(1)).min(1).default(['openclaw']),
    stateDir: z.string().min(1).optional(),
    configPath: z.string().min(1).optional(),
    /** the OpenClaw agent id to check; default: the delivery's agent */
    agent: z.string().min(1).optional(),
    timeoutMs: z.number().int().positive().max(300_000).default(60_000),
  })
  .describe('For SecretRef deliveries: `openclaw secrets audit --json` (no unresolved refs) + `models status` (the SecretRef wins, nothing shadows it) + read-back.');
export type OpenclawSecretsAuditVerifierConfig = z.infer<typeof openclawSecretsAuditVerifierConfig>;
