import { z } from 'zod';

export const noneVerifierConfig = z
  .strictObject({
    kind: z.literal('none'),
    /** why this delivery cannot be verified at the consumer; shown in every plan */
    reason: z.string().min(10),
  })
  .describe('No consumer check (say why). Promotion then rests on the read-back alone.');
export type NoneVerifierConfig = z.infer<typeof noneVerifierConfig>;
