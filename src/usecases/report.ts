/**
 * A change-ticket report: one run of rekey (a rotation, a resume, a revoke) as the Markdown an
 * operator pastes into a ticket — what, who, when, fingerprints old → new, the blast radius (with
 * its Mermaid graph), every journaled step with its time, the rollback point, the outcome, what
 * was retired and what still holds an old value. From the audit log and the journal; never a value.
 */
import type { AuditRecord } from '../audit/audit-record.js';
import type { AdapterCatalog } from '../core/adapters.js';
import { UsageError } from '../core/errors.js';
import { blastGraph, renderMermaid } from '../plan/graph.js';
import type { JournalEvent } from '../rotation/state.js';

export interface ReportInput {
  id: string;
  records: AuditRecord[];
  events: JournalEvent[];
  adapters: AdapterCatalog;
  hostname: string;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const since = (at: string, t0: string) => `+${((Date.parse(at) - Date.parse(t0)) / 1000).toFixed(1)} s`;

export function changeReport(i: ReportInput): string {
  // the run's own records (rotate/resume/revoke…) and the retirements it left
  const named = i.records.filter((r) => r.rotationId === i.id || r.containment?.rotationId === i.id);
  const main = named.find((r) => r.command === 'revoke') ?? named.find((r) => r.command === 'rotate') ?? named.find((r) => r.command === 'resume') ?? named[0];
  if (!main) throw new UsageError('NO_SUCH_RUN', `no audit record has the rotation id ${i.id}`, { hint: 'rekey audit show lists the runs and their ids' });
  const rotationId = main.containment?.rotationId ?? main.rotationId;
  // a revoke's own record, and the records of the rotation it ran
  const own = i.records.filter((r) => r.rotationId === main.rotationId || r.rotationId === rotationId);
  const retired = i.records.filter((r) => r.command === 'retire' && (r.retirement?.rotationId === rotationId || r.retirement?.rotationId?.startsWith(`${main.rotationId}`)));
  const begin = i.events.find((e): e is Extract<JournalEvent, { type: 'begin' }> => e.type === 'begin');
  const t0 = begin?.at ?? main.at;
  const out: string[] = [];
  out.push(`# rekey ${main.command}: ${main.secret} — ${main.outcome}`, '');
  out.push('| | |', '| --- | --- |');
  out.push(`| What | \`rekey ${main.command}\` of **${cell(main.secret)}** (${main.layer}) |`);
  out.push(`| Run | \`${main.rotationId}\`${rotationId !== main.rotationId ? ` (rotation \`${rotationId}\`)` : ''} |`);
  out.push(`| Who | ${cell(`${main.actor.user} (uid ${main.actor.uid}) on ${main.actor.host}, pid ${main.actor.pid}`)}${main.actor.ci ? `, CI ${cell(main.actor.ci)}` : ''} |`);
  out.push(`| Window | ${t0} → ${main.at} (${(main.durationMs / 1000).toFixed(1)} s) |`);
  out.push(`| Outcome | **${main.outcome}**, exit ${main.exitCode}${main.failure ? `: ${cell(main.failure.reason)}` : ''} |`);
  for (const [ref, fp] of Object.entries(main.oldFingerprints)) out.push(`| ${cell(ref)} | \`${fp ?? '(none)'}\` → \`${main.newFingerprints[ref] ?? '(unchanged)'}\` |`);
  out.push('');
  const b = main.blastRadius;
  out.push('## Blast radius', '');
  for (const [k, v] of [['agents', b.agents], ['environments', b.environments], ['hosts', b.hosts], ['units', b.units], ['files', b.files], ['keychain items', b.keychainItems], ['stored profiles', b.authProfiles], ['backend refs', b.backendRefs]] as const) {
    if (v.length) out.push(`- **${k}**: ${v.map((x) => `\`${x}\``).join(', ')}`);
  }
  const plan = begin?.plan.resolved;
  if (plan) out.push('', '```mermaid', renderMermaid(blastGraph([...plan.targets, ...plan.elsewhere], i.adapters, i.hostname)).trimEnd(), '```');
  out.push('');
  const steps = i.events.filter((e) => e.type === 'ok' || e.type === 'fail' || e.type === 'phase' || e.type === 'end');
  if (steps.length) {
    out.push('## Steps', '', '| time | since start | phase | item | result |', '| --- | --- | --- | --- | --- |');
    for (const e of steps) {
      if (e.type === 'phase') out.push(`| ${e.at} | ${since(e.at, t0)} | **${e.phase}** | | ${e.reason ? cell(e.reason) : ''} |`);
      else if (e.type === 'ok') out.push(`| ${e.at} | ${since(e.at, t0)} | ${e.phase} | \`${cell(e.item)}\` | ok${e.changed === false ? ' (unchanged)' : ''}${e.detail ? `: ${cell(e.detail)}` : ''} |`);
      else if (e.type === 'fail') out.push(`| ${e.at} | ${since(e.at, t0)} | ${e.phase} | \`${cell(e.item)}\` | FAILED${e.code ? ` ${e.code}` : ''}: ${cell(e.reason)} |`);
      else out.push(`| ${e.at} | ${since(e.at, t0)} | end | | **${e.outcome}**${e.reason ? `: ${cell(e.reason)}` : ''} |`);
    }
    out.push('');
  }
  out.push('## Rollback point', '');
  const rb = Object.entries(own.map((r) => r.rollbackPoint).find((p) => Object.keys(p).length) ?? {});
  out.push(...(rb.length ? rb.map(([ref, v]) => `- \`${ref}\`: version ${v ?? '(none)'}`) : ['- none recorded (nothing was delivered, or the run was not a rotation)']), '');
  const c = main.containment;
  if (c) {
    out.push('## Containment', '', `Order: ${c.order}. ${c.containedAt ? `Contained at ${c.containedAt} (**${((c.timeToContainMs ?? 0) / 1000).toFixed(1)} s** to contain).` : '**Not contained.**'}`, '');
    if (c.consumers.length) {
      out.push('| consumer | host | unit | stopped holding the leaked value | verified with the new one |', '| --- | --- | --- | --- | --- |');
      for (const x of c.consumers) out.push(`| \`${x.target}\` | ${x.host} | ${x.unit ?? ''} | ${x.stoppedHoldingAt ? since(x.stoppedHoldingAt, t0) : '—'} | ${x.verifiedAt ? since(x.verifiedAt, t0) : '—'} |`);
      out.push('');
    }
    out.push(c.stillHolding.length ? `Still holding a leaked fingerprint: ${c.stillHolding.map((h) => `\`${h.where}\` (${h.fingerprint})`).join(', ')}` : 'Nothing rekey can see still holds the leaked fingerprint.');
    for (const m of c.manual) out.push('', `**Manual step**: ${m}`);
    if (c.withoutCredential?.length) out.push('', `**Without a credential**: ${c.withoutCredential.map((x) => `\`${x}\``).join(', ')}`);
    out.push('');
  }
  if (retired.length) {
    out.push('## Retired upstream', '');
    for (const r of retired) out.push(`- \`${Object.values(r.oldFingerprints)[0] ?? '?'}\` at ${r.retirement?.issuer}: ${r.outcome}${r.retirement?.probe ? ` (the provider: ${r.retirement.probe})` : ''}, ${r.at}`);
    out.push('');
  }
  const residue = own.flatMap((r) => r.residue ?? []);
  if (residue.length) {
    out.push('## Residue', '');
    for (const x of residue) out.push(`- \`${x.file}\`: ${x.fingerprints.join(', ')}${x.removed ? ' (removed)' : ' (still there: rerun with --scrub)'}`);
    out.push('');
  }
  return out.join('\n');
}
