import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditRecord } from '../audit/audit-record.js';
import type { ChainReport } from '../audit/chain.js';
import { BackendError } from '../core/errors.js';
import type { Exec } from '../core/ports.js';
import type { AuditLog as AuditLogPort } from '../core/ports.js';

type AuditLog = AuditLogPort<AuditRecord, ChainReport>;
import type { FileAuditLog } from './file-audit-log.js';

/**
 * Audit devices, as Vault has them: every record goes to each configured device. The file (the
 * hash-chained audit.jsonl) is the one `read`/`verify` use; the systemd journal (structured
 * fields, SYSLOG_IDENTIFIER=rekey, through util-linux `logger --journald`) and syslog (`logger` to
 * a Unix socket) are copies off the file. As in Vault, a run that changes something starts only if
 * at least one device can record (`ready`, exit 4 otherwise), and a record no device took fails.
 */
export type AuditDevice = { kind: 'file' } | { kind: 'journald' } | { kind: 'syslog'; socket: string };

export const JOURNALD_SOCKET = '/run/systemd/journal/socket';

interface Device {
  name: string;
  /** the chained file: appended first, its record (chain fields added) is what the others get */
  isFile?: boolean;
  ready(): Promise<string | null>;
  /** returns the record as recorded (the file adds the chain fields) */
  append(r: AuditRecord & { seq?: number; hash?: string }): Promise<unknown>;
}

const isSocket = async (p: string) => (await fs.stat(p).catch(() => null))?.isSocket() === true;
const summary = (r: AuditRecord) => `rekey ${r.command} ${r.secret}: ${r.outcome} (exit ${r.exitCode}) ${r.rotationId}`;

function journald(exec: Exec, file: string): Device {
  return {
    name: 'journald',
    ready: async () => ((await isSocket(JOURNALD_SOCKET)) ? null : `no journal socket at ${JOURNALD_SOCKET}`),
    async append(r) {
      const fields = {
        MESSAGE: summary(r),
        SYSLOG_IDENTIFIER: 'rekey',
        PRIORITY: r.exitCode === 0 ? '6' : '4',
        REKEY_COMMAND: r.command,
        REKEY_SECRET: r.secret,
        REKEY_OUTCOME: r.outcome,
        REKEY_EXIT_CODE: String(r.exitCode),
        REKEY_ROTATION_ID: r.rotationId,
        ...(r.seq !== undefined ? { REKEY_SEQ: String(r.seq), REKEY_HASH: String(r.hash) } : {}),
        REKEY_AUDIT_FILE: file,
        // the whole record, one line of JSON: fingerprints only (the record type has no values)
        REKEY_RECORD: JSON.stringify(r),
      };
      const stdin = Object.entries(fields).map(([k, v]) => `${k}=${v.replace(/\n/g, ' ')}`).join('\n') + '\n';
      const res = await exec.run(['logger', '--journald'], { stdin, timeoutMs: 10_000 });
      if (res.code !== 0) throw new Error(`logger --journald exited ${res.code}: ${res.stderr.split('\n')[0]}`);
    },
  };
}

function syslog(exec: Exec, socket: string): Device {
  return {
    name: `syslog (${socket})`,
    ready: async () => ((await isSocket(socket)) ? null : `no syslog socket at ${socket}`),
    async append(r) {
      const res = await exec.run(['logger', '--socket', socket, '--tag', 'rekey', '--priority', r.exitCode === 0 ? 'auth.info' : 'auth.warning', '--', `${summary(r)} ${JSON.stringify(r)}`], { timeoutMs: 10_000 });
      if (res.code !== 0) throw new Error(`logger exited ${res.code}: ${res.stderr.split('\n')[0]}`);
    },
  };
}

export function createAuditLog(
  file: FileAuditLog,
  filePath: string,
  devices: AuditDevice[],
  deps: { exec: Exec; warn: (msg: string) => void },
): AuditLog & { verify(): Promise<ChainReport>; ready(): Promise<void> } {
  const list: Device[] = devices.map((d) => {
    if (d.kind === 'journald') return journald(deps.exec, filePath);
    if (d.kind === 'syslog') return syslog(deps.exec, d.socket);
    return {
      name: `file ${filePath}`,
      isFile: true,
      ready: async () => {
        try {
          await fs.mkdir(dirname(filePath), { recursive: true, mode: 0o700 });
          await fs.access(dirname(filePath), fs.constants.W_OK);
          return null;
        } catch (e) {
          return `cannot write ${dirname(filePath)} (${(e as NodeJS.ErrnoException).code})`;
        }
      },
      append: (r) => file.appendChained(r),
    };
  });
  // the file first: the copies carry its chain fields
  list.sort((a, b) => Number(b.isFile === true) - Number(a.isFile === true));
  const hasFile = list.some((d) => d.isFile);
  return {
    async ready() {
      const why = await Promise.all(list.map(async (d) => [d.name, await d.ready()] as const));
      const down = why.filter(([, w]) => w !== null);
      if (down.length === list.length) {
        throw new BackendError('AUDIT_UNAVAILABLE', `no audit device can record (${down.map(([n, w]) => `${n}: ${w}`).join('; ')}): nothing is changed without an audit record`, {
          hint: 'fix one of the devices listed under audit.devices in the policy',
        });
      }
      for (const [n, w] of down) deps.warn(`audit device ${n} cannot record: ${w}`);
    },
    async append(r) {
      // the file first (it adds the chain fields the other devices carry too)
      let recorded = 0;
      const errors: string[] = [];
      let chained: AuditRecord & { seq?: number; hash?: string } = r;
      for (const d of list) {
        try {
          const out = await d.append(chained);
          if (d.isFile) chained = out as typeof chained;
          recorded++;
        } catch (e) {
          errors.push(`${d.name}: ${(e as Error).message}`);
        }
      }
      for (const e of errors) deps.warn(`audit device failed: ${e}`);
      if (recorded === 0) throw new BackendError('AUDIT_UNAVAILABLE', `no audit device recorded the run (${errors.join('; ')})`, { hint: 'fix one of the devices listed under audit.devices in the policy' });
    },
    read: () => (hasFile ? file.read() : Promise.resolve([])),
    verify: () => file.verify(),
  };
}
