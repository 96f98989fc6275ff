/**
 * The audit log's hash chain against a real file: appends (also concurrent ones) chain; an edited,
 * deleted, inserted or reordered record is named by `verify`; a torn last line is not tampering.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { AuditRecord } from '../../src/audit/audit-record.js';
import { GENESIS } from '../../src/audit/chain.js';
import { createFileAuditLog } from '../../src/io/file-audit-log.js';

const rec = (i: number): AuditRecord => ({
  v: 1,
  at: `2026-11-30T10:00:${String(i).padStart(2, '0')}Z`,
  rotationId: `r${i}`,
  command: 'rotate',
  actor: { user: 'u', uid: 0, host: 'h', pid: 1 },
  secret: i % 2 ? 'anthropic' : 'gateway',
  layer: 'provider-key',
  outcome: 'promoted',
  exitCode: 0,
  oldFingerprints: { ref: `old${i}` },
  newFingerprints: { ref: `new${i}` },
  blastRadius: { agents: ['main'], environments: ['prod'], hosts: ['h'], units: [], files: [], keychainItems: [], authProfiles: [], backendRefs: ['ref'] },
  rollbackPoint: {},
  targets: [],
  durationMs: 1,
});

async function logWith(n: number) {
  const path = join(mkdtempSync(join(tmpdir(), 'rekey-audit-')), 'audit.jsonl');
  const log = createFileAuditLog(path);
  for (let i = 1; i <= n; i++) await log.append(rec(i));
  const lines = () => readFileSync(path, 'utf8').trimEnd().split('\n');
  const write = (ls: string[]) => writeFileSync(path, ls.join('\n') + '\n');
  return { path, log, lines, write };
}

describe('the audit hash chain', () => {
  test('appends chain: seq 1…n, the first after GENESIS, each prev = the hash before; concurrent appends do not fork it', async () => {
    const { log, lines } = await logWith(3);
    await Promise.all([4, 5, 6, 7, 8].map((i) => log.append(rec(i))));
    const rs = lines().map((l) => JSON.parse(l));
    expect(rs.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(rs[0].prev).toBe(GENESIS);
    for (let i = 1; i < rs.length; i++) expect(rs[i].prev).toBe(rs[i - 1].hash);
    expect(await log.verify()).toMatchObject({ ok: true, records: 8, legacy: 0 });
  });

  test.each([
    ['an edited field', (ls: string[]) => ((ls[2] = ls[2]!.replace('"outcome":"promoted"', '"outcome":"rolled-back"')), ls), 3, /changed after it was written/],
    ['a deleted record', (ls: string[]) => (ls.splice(2, 1), ls), 3, /records 3…3 are missing/],
    ['two records swapped', (ls: string[]) => ([ls[1], ls[2]] = [ls[2]!, ls[1]!], ls), 2, /out of order|missing/],
    ['a record inserted by hand', (ls: string[]) => (ls.splice(1, 0, JSON.stringify(rec(9))), ls), 2, /without a place in the chain/],
    ['a line that is not JSON', (ls: string[]) => ((ls[3] = '{"oops"'), ls), 4, /not a JSON record/],
    ['a record replaced by a re-hashed forgery', (ls: string[]) => {
      const r = JSON.parse(ls[2]!);
      r.prev = 'f'.repeat(64);
      ls[2] = JSON.stringify(r);
      return ls;
    }, 3, /changed after it was written|does not follow/],
  ])('%s is named at its line', async (_label, spoil, line, why) => {
    const { log, lines, write } = await logWith(5);
    write(spoil(lines()));
    const r = await log.verify();
    expect(r.ok).toBe(false);
    expect(r.broken!.line).toBe(line);
    expect(r.broken!.reason).toMatch(why);
  });

  test('a torn last line (a crash mid-append) is reported, not tampering; the next append cuts it and continues the chain', async () => {
    const { path, log } = await logWith(3);
    writeFileSync(path, readFileSync(path, 'utf8') + '{"v":1,"at":"2026-', { flag: 'w' });
    expect(await log.verify()).toMatchObject({ ok: true, tornTail: true });
    await log.append(rec(4));
    expect(await log.verify()).toMatchObject({ ok: true, records: 4 });
  });

  test('a rotated log (past maxBytes) keeps one chain across its files; damage in an older file is named there', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'rekey-audit-')), 'audit.jsonl');
    const log = createFileAuditLog(path, { maxBytes: 2_000 });
    for (let i = 1; i <= 10; i++) await log.append(rec(i));
    const files = readdirSync(dirname(path)).filter((f) => f.startsWith('audit.jsonl')).sort();
    expect(files.length).toBeGreaterThan(2);
    expect(files.slice(1).every((f) => /^audit\.jsonl\.\d{10}$/.test(f))).toBe(true);
    const report = await log.verify();
    expect(report).toMatchObject({ ok: true, records: 10 });
    expect(report.files).toBe(files.filter((f) => !f.endsWith('.lock')).length);
    expect((await log.read()).map((r) => r.rotationId)).toEqual(Array.from({ length: 10 }, (_, i) => `r${i + 1}`));
    // the live file's first record continues the rotated one's chain
    const live = JSON.parse(readFileSync(path, 'utf8').split('\n')[0]!);
    expect(live.seq).toBeGreaterThan(1);
    const older = join(dirname(path), files[1]!); // files[0] is the live audit.jsonl; [1] the oldest rotated one
    const ls = readFileSync(older, 'utf8').trimEnd().split('\n');
    ls[0] = ls[0]!.replace('"exitCode":0', '"exitCode":3');
    writeFileSync(older, ls.join('\n') + '\n');
    const broken = await log.verify();
    expect(broken.ok).toBe(false);
    expect(broken.broken).toMatchObject({ file: older, line: 1 });
  });

  test('records written before the chain existed are counted, not judged', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'rekey-audit-')), 'audit.jsonl');
    writeFileSync(path, `${JSON.stringify(rec(1))}\n${JSON.stringify(rec(2))}\n`);
    const log = createFileAuditLog(path);
    await log.append(rec(3));
    expect(await log.verify()).toMatchObject({ ok: true, records: 3, legacy: 2 });
  });
});
