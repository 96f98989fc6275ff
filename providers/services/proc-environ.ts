/**
 * The environment of a running process, read from Linux's /proc (the truth a verification needs:
 * what the consumer holds, not what rekey reconstructs from unit files). Root or the process's own
 * user can read it. A process started through `rekey exec` holds its credentials in its child: the
 * caller asks for the child with `childOf`.
 */
import { promises as fs } from 'node:fs';
import { SecretValue } from '../../src/core/secret-value.js';

/** NUL-separated KEY=VALUE entries; null if the process is gone or unreadable */
export async function readProcEnviron(pid: number, proc = '/proc'): Promise<Record<string, SecretValue> | null> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(`${proc}/${pid}/environ`);
  } catch {
    return null;
  }
  const vars: Record<string, SecretValue> = {};
  for (const entry of bytes.toString('utf8').split('\0')) {
    const i = entry.indexOf('=');
    if (i > 0) vars[entry.slice(0, i)] = SecretValue.of(entry.slice(i + 1));
  }
  return vars;
}

/** the first child of a process (every thread's children file), or null */
export async function childOf(pid: number, proc = '/proc'): Promise<number | null> {
  let tasks: string[];
  try {
    tasks = await fs.readdir(`${proc}/${pid}/task`);
  } catch {
    return null;
  }
  const kids: number[] = [];
  for (const t of tasks) {
    const text = await fs.readFile(`${proc}/${pid}/task/${t}/children`, 'utf8').catch(() => '');
    kids.push(...text.split(/\s+/).filter(Boolean).map(Number));
  }
  return kids.length ? Math.min(...kids) : null;
}

export { processUptimeMs } from '../../src/io/host-info.js';
