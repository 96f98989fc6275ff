import type { AdapterCatalog } from '../core/adapters.js';
import type { RetireResult } from '../usecases/retire.js';
import type { DeviceReport } from '../usecases/devices.js';
import type { ShadowReport } from '../plan/shadow.js';
import type { PolicyIssue } from '../core/errors.js';
import type { Plan } from '../plan/planner.js';
import type { JournalEvent } from '../rotation/state.js';
import type { RotateReport } from '../usecases/rotate.js';
import type { SecretStatus } from '../usecases/status.js';

const list = (xs: string[]) => (xs.length ? xs.join(', ') : '—');

export function renderPlan(p: Plan, adapters: AdapterCatalog, hostname?: string): string {
  const lines = [
    `plan: rotate ${p.secret} (${p.layer}) from backend ${p.backend} (${p.backendKind})`,
    '',
    'targets (this host):',
    ...p.targets.map(
      (t) =>
        `  ${t.agent} × ${t.env}  →  ${t.sink.kind} ${adapters.sink(t.sink.kind).describe(t.sink)} [${t.envVar}]` +
        `  service: ${t.service ? `${t.service.kind} ${t.service.unit}` : 'none'}  verify: ${t.verify.kind}  ref: ${t.ref}`,
    ),
  ];
  if (p.elsewhere.length) lines.push('', 'targets on other hosts (run rekey there):', ...p.elsewhere.map((t) => `  ${t.agent} × ${t.env} on ${t.host}`));
  lines.push(
    '',
    ...(p.layer === 'gateway-token' ? ['delivery order: ' + list(p.deliveryOrder) + ' (back to back; restarts and verification after the last write)'] : []),
    'restart order: ' + list(p.restarts),
    '',
    'blast radius:',
    `  agents:        ${list(p.blastRadius.agents)}`,
    `  environments:  ${list(p.blastRadius.environments)}`,
    `  hosts:         ${list(p.blastRadius.hosts.map((h) => (h === '*' ? `any host that runs this policy${hostname ? ` (here: ${hostname})` : ''}` : h)))}`,
    `  units:         ${list(p.blastRadius.units)}`,
    `  files:         ${list(p.blastRadius.files)}`,
    `  keychain:      ${list(p.blastRadius.keychainItems)}`,
    `  profiles:      ${list(p.blastRadius.authProfiles)}`,
    `  backend refs:  ${list(p.blastRadius.backendRefs)}`,
  );
  if (p.warnings.length) lines.push('', 'warnings:', ...p.warnings.map((w) => `  ! ${w}`));
  return lines.join('\n') + '\n';
}

const ICON: Record<string, string> = { start: '…', ok: '✓', fail: '✗' };

/**
 * One progress line per journal event, on stderr, with time since the rotation began. A phase's
 * header is printed with its first item, so a phase with nothing to do (no restart) stays silent.
 */
export function progressPrinter(write: (s: string) => void, now: () => number) {
  let t0 = now();
  let header: string | null = null;
  return (e: JournalEvent) => {
    const secs = ((now() - t0) / 1000).toFixed(1).padStart(5);
    switch (e.type) {
      case 'begin':
        t0 = now();
        write(`[${'0.0'.padStart(5)}s] rotation ${e.rotationId} of ${e.secret}: ${Object.entries(e.oldFingerprints).map(([r, f]) => `${r} ${f ?? '(none)'} → ${e.newFingerprints[r]}`).join('; ')}\n`);
        return;
      case 'phase':
        header = `[${secs}s] ── ${e.phase}${e.reason ? ` (${e.reason})` : ''}\n`;
        return;
      case 'start':
        return;
      case 'ok':
      case 'fail':
        if (header) write(header);
        header = null;
        write(`[${secs}s]   ${ICON[e.type]} ${e.phase} ${e.item}${e.type === 'ok' ? (e.detail ? `: ${e.detail}` : '') : `: ${e.reason}`}\n`);
        return;
      case 'end':
        write(`[${secs}s] ── ${e.outcome}\n`);
    }
  };
}

export function renderReport(r: RotateReport): string {
  const lines = [r.message];
  if (r.rotationId) lines.push(`rotation id: ${r.rotationId}`);
  for (const [ref, fp] of Object.entries(r.newFingerprints)) lines.push(`  ${ref}: ${r.oldFingerprints[ref] ?? '(none)'} → ${fp}`);
  for (const m of r.minted ?? []) lines.push(`  minted at ${m.issuer}: ${m.ref} (upstream id ${m.id}${m.expiresAt ? `, expires ${m.expiresAt}` : ''})`);
  for (const h of r.residue ?? []) {
    lines.push(`  residue: ${h.file} held the old value ${h.fingerprints.join(', ')}: ${h.removed ? 'removed' : 'still there (rotate with --scrub, or remove it)'}`);
  }
  lines.push(...renderRetirements(r.retirements ?? []));
  return lines.join('\n') + '\n';
}

export function renderRetirements(rs: RetireResult[]): string[] {
  return rs.map((x) =>
    x.outcome === 'not-due'
      ? `  retire ${x.fingerprint} (${x.ref}): due ${x.dueAt} (rekey retire --due)`
      : x.outcome === 'failed'
        ? `  retire ${x.fingerprint} (${x.ref}): FAILED — ${x.detail ?? ''} (left pending: rekey retire --due)`
        : `  retired ${x.fingerprint} (${x.ref}) upstream: ${x.upstream ?? x.outcome}${x.probe ? `; the provider now answers ${x.probe}` : ''}`,
  );
}

export function renderIssues(file: string, issues: PolicyIssue[]): string {
  return [`${file}: ${issues.length} problem(s)`, ...issues.map((i) => `  ${i.path}: ${i.message}${i.hint ? `\n    hint: ${i.hint}` : ''}`)].join('\n') + '\n';
}

export function renderStatus(ss: SecretStatus[]): string {
  const lines: string[] = [];
  for (const s of ss) {
    lines.push(`${s.secret} (${s.layer}, backend ${s.backend})`);
    for (const r of s.refs) {
      lines.push(`  ${r.ref}${r.overdue ? '  OVERDUE' : ''}${r.currentAgeDays !== null ? `  current age ${r.currentAgeDays}d` : ''}`);
      if (r.versions.length === 0) lines.push('    (no versions)');
      for (const v of r.versions) lines.push(`    v${v.versionId} ${v.stages.join(',').padEnd(16)} ${v.fingerprint ?? ''} ${v.createdAt ?? ''}`);
      if (r.standby && (r.standby.entries.length || r.standby.min)) {
        lines.push(`    standby pool: ${r.standby.entries.length}${r.standby.min ? ` (minStandby ${r.standby.min})` : ''}${r.standby.low ? '  LOW: put more with `rekey put <secret> --env E --standby --stdin`' : ''}`);
        for (const e of r.standby.entries) lines.push(`      ${e.id} ${e.fingerprint}`);
      }
      if (r.lastProbe) lines.push(`    last probe: ${r.lastProbe.fingerprint} ${r.lastProbe.result} at ${r.lastProbe.at} (${r.lastProbe.detail})`);
    }
    lines.push(`  last: ${s.last ? `${s.last.outcome} at ${s.last.at} (${s.last.rotationId})` : 'never rotated'}`);
    if (s.unfinished.length) lines.push(`  UNFINISHED: ${s.unfinished.join(', ')} — run \`rekey resume\``);
    if (s.lock) lines.push(`  lock: pid ${s.lock.pid} on ${s.lock.host} since ${s.lock.since}${s.lock.alive ? '' : ' (stale)'}`);
  }
  return lines.join('\n') + '\n';
}

/** Every place a provider key could come from, per target: which wins, which rekey owns. */
export function renderSources(reports: ShadowReport[]): string {
  if (reports.length === 0) return '';
  const lines = ['', 'credential sources (highest first):'];
  for (const r of reports) {
    lines.push(`  ${r.target}: ${r.deliveredWins ? 'rekey\'s delivery wins' : r.sources.length === 0 ? 'UNKNOWN' : `SHADOWED: ${r.winner ?? 'nothing'} wins`}`);
    for (const s of r.sources) lines.push(`    ${s.wins ? '→' : ' '} ${s.kind.padEnd(13)} ${s.where}${s.owned ? '  (rekey)' : ''}`);
    for (const n of r.notes ?? []) lines.push(`    ? ${n}`);
  }
  return lines.join('\n') + '\n';
}

/** Paired devices of the Gateway: separate credentials a shared-token rotation leaves valid. */
export function renderDevices(reports: DeviceReport[]): string {
  if (reports.length === 0) return '';
  const lines = ['', 'paired devices (separate tokens: this rotation leaves them valid; `rekey openclaw devices <secret> --rotate ID --role R`):'];
  for (const r of reports) {
    if (r.error) lines.push(`  ${r.target}: not listed (${r.error})`);
    else if (r.paired.length === 0) lines.push(`  ${r.target}: none${r.pending ? ` (${r.pending} pending pairing request(s))` : ''}`);
    else for (const d of r.paired) lines.push(`  ${d.deviceId}${d.name ? ` (${d.name})` : ''}: ${d.roles.join(', ') || 'no role'}`);
  }
  return lines.join('\n') + '\n';
}
