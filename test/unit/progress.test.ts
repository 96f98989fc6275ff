import { describe, expect, test } from 'vitest';
import { progressPrinter } from '../../src/cli/render.js';
import type { JournalEvent } from '../../src/rotation/state.js';

const ev = (e: Partial<JournalEvent> & { type: JournalEvent['type'] }) => ({ rotationId: 'R', at: 'x', ...e }) as JournalEvent;

describe('progress display', () => {
  test('one line per step; a phase with nothing to do prints no header', () => {
    const out: string[] = [];
    const p = progressPrinter((s) => out.push(s), () => 0);
    p(ev({ type: 'begin', secret: 's', oldFingerprints: { r: '#old' }, newFingerprints: { r: '#new' } } as never));
    p(ev({ type: 'phase', phase: 'deliver' }));
    p(ev({ type: 'start', phase: 'deliver', item: 't1' }));
    p(ev({ type: 'ok', phase: 'deliver', item: 't1', detail: 'wrote #new' }));
    p(ev({ type: 'phase', phase: 'restart' })); // no unit changed: no items
    p(ev({ type: 'phase', phase: 'verify' }));
    p(ev({ type: 'fail', phase: 'verify', item: 't1', reason: 'mismatch' }));
    p(ev({ type: 'end', outcome: 'rolled-back' }));
    const text = out.join('');
    expect(text).toContain('#old → #new');
    expect(text).toContain('── deliver');
    expect(text).toContain('✓ deliver t1: wrote #new');
    expect(text).not.toContain('── restart');
    expect(text).toContain('── verify');
    expect(text).toContain('✗ verify t1: mismatch');
    expect(text).toContain('── rolled-back');
  });
});
