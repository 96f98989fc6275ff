import { pino } from 'pino';
import type { Logger } from '../core/logger.js';

/** pino to stderr (synchronous, so nothing is lost on exit); redaction is only a backstop. */
export function createLogger(level: string): Logger {
  return pino(
    {
      name: 'rekey',
      level,
      base: { pid: process.pid },
      // not `secret`: that field is a secret's *name* (SecretValues print [redacted] on their own)
      redact: { paths: ['value', 'token', 'apiKey', '*.value', '*.token', '*.apiKey', 'env.*'], censor: '[redacted]' },
    },
    pino.destination({ dest: 2, sync: true }),
  ) as unknown as Logger;
}
