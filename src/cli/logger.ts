import { pino } from 'pino';
import type { Logger } from '../core/logger.js';

/** pino to stderr (synchronous, so nothing is lost on exit); redaction is only a backstop. */
export function createLogger(level: string): Logger {
  return pino(
    {
      name: 'rekey',
      level,
      base: { pid: process.pid },
      redact: { paths: ['value', 'secret', 'token', 'apiKey', '*.value', '*.token', '*.apiKey', 'env.*'], censor: '[redacted]' },
    },
    pino.destination({ dest: 2, sync: true }),
  ) as unknown as Logger;
}
