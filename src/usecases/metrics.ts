/**
 * rekey's state as Prometheus metrics in node_exporter's textfile-collector format (text
 * exposition format 0.0.4): names, labels and numbers only, never a value or a fingerprint.
 * Counters are counted from the audit log, so they only grow while the log does.
 */
import type { AuditRecord } from '../audit/audit-record.js';
import type { Dueness } from '../policy/schedule.js';
import type { DueItem } from './due.js';

const STATES: Dueness[] = ['ok', 'expiring', 'expired', 'missing'];
const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labels = (l: Record<string, string>) => `{${Object.entries(l).map(([k, v]) => `${k}="${esc(v)}"`).join(',')}}`;

interface Family {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  samples: { labels: Record<string, string>; value: number }[];
}

export function renderMetrics(input: {
  now: Date;
  states: Omit<DueItem, 'outcome' | 'exitCode'>[];
  records: AuditRecord[];
  /** the run that wrote the file: its command and exit code */
  run: { command: string; exitCode: number };
  /** retirements logged and not done yet, by secret */
  pendingRetirements?: { secret: string; dueAt: string }[];
}): string {
  const t = input.now.getTime();
  const fams: Family[] = [];
  fams.push({
    name: 'rekey_secret_age_seconds',
    help: "age of the current version of each backend ref (rekey's view on this host)",
    type: 'gauge',
    samples: input.states.flatMap((s) => Object.entries(s.createdAt).flatMap(([ref, at]) => (at ? [{ labels: { secret: s.secret, env: s.env, ref }, value: Math.max(0, Math.round((t - Date.parse(at)) / 1000)) }] : []))),
  });
  fams.push({
    name: 'rekey_secret_due_timestamp_seconds',
    help: 'when the oldest current version of a secret in an environment reaches its maxAge',
    type: 'gauge',
    samples: input.states.filter((s) => s.dueAt).map((s) => ({ labels: { secret: s.secret, env: s.env }, value: Date.parse(s.dueAt!) / 1000 })),
  });
  fams.push({
    name: 'rekey_secret_state',
    help: '1 for the state each secret × environment is in: ok, expiring (within the lead time), expired, missing',
    type: 'gauge',
    samples: input.states.flatMap((s) => STATES.map((state) => ({ labels: { secret: s.secret, env: s.env, state }, value: s.state === state ? 1 : 0 }))),
  });
  // last rotation per secret, and counts by outcome / by layer of verification failures
  const rotations = input.records.filter((r) => r.command === 'rotate' && r.outcome !== 'dry-run');
  const last = new Map<string, AuditRecord>();
  for (const r of rotations) last.set(r.secret, r);
  fams.push({
    name: 'rekey_last_rotation_timestamp_seconds',
    help: 'when the last rotation of a secret ended (any outcome)',
    type: 'gauge',
    samples: [...last.values()].map((r) => ({ labels: { secret: r.secret, outcome: r.outcome }, value: Date.parse(r.at) / 1000 })),
  });
  const byOutcome = new Map<string, number>();
  for (const r of rotations) byOutcome.set(r.outcome, (byOutcome.get(r.outcome) ?? 0) + 1);
  fams.push({ name: 'rekey_rotations_total', help: 'rotations recorded in the audit log, by outcome', type: 'counter', samples: [...byOutcome].map(([outcome, n]) => ({ labels: { outcome }, value: n })) });
  const failures = new Map<string, number>([
    ['gateway-token', 0],
    ['provider-key', 0],
  ]);
  for (const r of rotations) if (r.failure && /verif/i.test(`${r.failure.phase ?? ''} ${r.failure.code ?? ''}`)) failures.set(r.layer, (failures.get(r.layer) ?? 0) + 1);
  fams.push({ name: 'rekey_verification_failures_total', help: 'rotations that failed verification at the consumer, by layer (Gateway token vs provider key)', type: 'counter', samples: [...failures].map(([layer, n]) => ({ labels: { layer }, value: n })) });
  const pending = new Map<string, { n: number; overdue: number }>();
  for (const r of input.pendingRetirements ?? []) {
    const p = pending.get(r.secret) ?? { n: 0, overdue: 0 };
    p.n++;
    if (Date.parse(r.dueAt) <= t) p.overdue++;
    pending.set(r.secret, p);
  }
  fams.push({ name: 'rekey_pending_retirements', help: 'old credentials still to retire upstream (overdue="true": their grace period has passed)', type: 'gauge', samples: [...pending].flatMap(([secret, p]) => [{ labels: { secret, overdue: 'false' }, value: p.n - p.overdue }, { labels: { secret, overdue: 'true' }, value: p.overdue }]) });
  fams.push({
    name: 'rekey_standby_depth',
    help: 'keys waiting in the standby pool of a secret in an environment (the smallest pool among its refs); min: the policy minStandby',
    type: 'gauge',
    samples: input.states.filter((s) => s.standby).map((s) => ({ labels: { secret: s.secret, env: s.env, min: String(s.standby!.min) }, value: s.standby!.depth })),
  });
  fams.push({ name: 'rekey_last_run_timestamp_seconds', help: 'when rekey last wrote this file', type: 'gauge', samples: [{ labels: { command: input.run.command }, value: t / 1000 }] });
  fams.push({ name: 'rekey_last_run_exit_code', help: "the exit code of the run that wrote this file (0: everything due was rotated)", type: 'gauge', samples: [{ labels: { command: input.run.command }, value: input.run.exitCode }] });
  return fams
    .map((f) => [`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, ' ')}`, `# TYPE ${f.name} ${f.type}`, ...f.samples.map((s) => `${f.name}${labels(s.labels)} ${Number.isInteger(s.value) ? s.value : s.value.toFixed(3)}`)].join('\n'))
    .join('\n')
    .concat('\n');
}
