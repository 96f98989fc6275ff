import { z } from 'zod';

/** "90d", "12h", "30m": a duration in the policy */
export const duration = z.string().regex(/^[1-9][0-9]*(m|h|d)$/, 'a duration such as 30m, 12h or 90d');
