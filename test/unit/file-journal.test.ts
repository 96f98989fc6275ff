import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { BackendError } from '../../src/core/errors.js';
import { createFileJournal } from '../../src/io/file-journal.js';
import type { JournalEvent } from '../../src/rotation/state.js';

const begin = (id: string, secret: string) =>
  ({ type: 'begin', rotationId: id, secret, at: '2026-11-30T00:00:00Z', plan: { targetIds: [], filter: {} }, oldFingerprints: {}, newFingerprints: {} }) as unknown as JournalEvent;
const phase = (id: string) => ({ type: 'phase', rotationId: id, at: '2026-11-30T00:00:01Z', phase: 'deliver' }) as unknown as JournalEvent;

describe('file journal on a real file system', () => {
  test('a torn last line (kill or ENOSPC mid-append) is skipped when read and cut off before the next append', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rekey-journal-'));
    const j = createFileJournal(dir);
    await j.append(begin('20261130T000000Z-a', 'anthropic'));
    appendFileSync(join(dir, '20261130T000000Z-a.jsonl'), '{"type":"ok","rotationId":"2026'); // the torn write
    expect((await j.read('20261130T000000Z-a')).map((e) => e.type)).toEqual(['begin']);
    expect(await j.unfinished()).toEqual([{ rotationId: '20261130T000000Z-a', secret: 'anthropic' }]);
    await j.append(phase('20261130T000000Z-a'));
    const text = readFileSync(join(dir, '20261130T000000Z-a.jsonl'), 'utf8');
    expect(text.split('\n').filter(Boolean).map((l) => JSON.parse(l).type)).toEqual(['begin', 'phase']);
    expect(text).not.toContain('"type":"ok"');
  });

  test('every line carries the format version; a newer format is a named error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rekey-journal-'));
    const j = createFileJournal(dir);
    await j.append(begin('20261130T000000Z-v', 'anthropic'));
    expect(JSON.parse(readFileSync(join(dir, '20261130T000000Z-v.jsonl'), 'utf8')).v).toBe(1);
    expect((await j.read('20261130T000000Z-v'))[0]).not.toHaveProperty('v');
    appendFileSync(join(dir, '20261130T000000Z-v.jsonl'), JSON.stringify({ v: 9, type: 'end', rotationId: '20261130T000000Z-v' }) + '\n');
    await expect(j.read('20261130T000000Z-v')).rejects.toMatchObject({ code: 'STATE_FORMAT', exitCode: 4 });
  });

  test('a damaged line in the middle: STATE_CORRUPT (exit 4) naming file and line, for that rotation only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rekey-journal-'));
    const j = createFileJournal(dir);
    await j.append(begin('20261130T000000Z-b', 'anthropic'));
    await j.append(begin('20261130T000001Z-c', 'openai'));
    const f = join(dir, '20261130T000000Z-b.jsonl');
    writeFileSync(f, readFileSync(f, 'utf8') + 'garbage\n' + JSON.stringify(phase('20261130T000000Z-b')) + '\n');
    const err = await j.read('20261130T000000Z-b').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect(err).toMatchObject({ code: 'STATE_CORRUPT', exitCode: 4 });
    expect((err as Error).message).toContain(`${f} line 2`);
    // both stay unfinished; the damaged one is attributed to its secret from its first line
    expect(await j.unfinished()).toEqual([
      { rotationId: '20261130T000000Z-b', secret: 'anthropic', damaged: true },
      { rotationId: '20261130T000001Z-c', secret: 'openai' },
    ]);
  });
});
