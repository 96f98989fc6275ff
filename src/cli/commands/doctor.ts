import { UsageError } from '../../core/errors.js';
import { AGENT, defineCommand, ENV } from './define.js';
import { loadPolicy } from './context.js';
import type { DoctorReport } from '../../usecases/doctor/index.js';

export const doctor = defineCommand({
  words: 'doctor',
  usage: '[--env E] [--agent A] [--max-parallel N] [--json]',
  summary: 'the auth runbook as one command: which layer is broken (Gateway token or provider key), why, and the next command; read-only',
  example: 'rekey doctor --json',
  options: {
    env: ENV,
    agent: AGENT,
    'max-parallel': { type: 'string', value: 'N', help: 'check up to N targets side by side (default 2; each check runs the openclaw CLI)' },
  },
  stateful: true,
  async run({ a, io, out, depsFor, filter }, opts) {
    const { doctor: runDoctor } = await import('../../usecases/doctor/index.js');
    const parallel = Number(opts['max-parallel'] ?? 2);
    if (!Number.isInteger(parallel) || parallel < 1 || parallel > 16) throw new UsageError('BAD_ARGUMENTS', '--max-parallel takes a whole number from 1 to 16');
    const policy = await loadPolicy(a.global.policy, io.env.HOME);
    const deps = depsFor(policy);
    if (!deps.host || !deps.openclaw) throw new UsageError('DOCTOR_UNAVAILABLE', 'rekey doctor needs the host and OpenClaw ports');
    const report = await runDoctor(policy, { ...deps, host: deps.host, openclaw: deps.openclaw }, {
      filter,
      searchPath: io.env.PATH ?? '',
      parallel,
      onCategory: (category, n, ms) => io.stderr(`${n ? '!' : '✓'} ${category.padEnd(8)} ${n} finding${n === 1 ? '' : 's'} (${(ms / 1000).toFixed(1)} s)\n`),
    });
    out(renderDoctor(report), report);
    return report.exitCode;
  },
});

export function renderDoctor(r: DoctorReport): string {
  const lines: string[] = [];
  for (const f of r.findings) {
    lines.push(`${f.severity.toUpperCase().padEnd(4)} ${f.code} [${f.layer}] ${f.subject}`);
    lines.push(`     ${f.message}`);
    const ev = Object.entries(f.evidence).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('; ') : String(v)}`);
    if (ev.length) lines.push(`     evidence: ${ev.join(', ')}`);
    lines.push(`     next: ${f.next}`);
  }
  const { fail, warn, info } = r.summary;
  lines.push(`${r.ok ? 'healthy' : fail ? 'FAILING' : 'warnings'}: ${fail} failure(s), ${warn} warning(s), ${info} note(s) over ${r.checked.targets.length} target(s) and ${r.checked.units.length} unit(s)`);
  return lines.join('\n') + '\n';
}
