/** vitest global setup: a fresh figures file before the run, the reliability table after it. */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FIGURES_DIR, type Figure } from '../harness/figures.js';

export function setup(): void {
  process.env.REKEY_FIGURES_DIR = FIGURES_DIR;
  rmSync(FIGURES_DIR, { recursive: true, force: true });
}

export function teardown(): void {
  const file = join(FIGURES_DIR, 'figures.jsonl');
  if (!existsSync(file)) return;
  const rows = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Figure);
  const w1 = Math.max(...rows.map((r) => r.suite.length), 5);
  const w2 = Math.max(...rows.map((r) => r.measure.length), 7);
  const lines = [
    '',
    'rekey reliability figures',
    `${'suite'.padEnd(w1)}  ${'measure'.padEnd(w2)}  value   must be`,
    `${'-'.repeat(w1)}  ${'-'.repeat(w2)}  ------  -------`,
    ...rows.map((r) => `${r.suite.padEnd(w1)}  ${r.measure.padEnd(w2)}  ${String(r.value).padEnd(6)}  ${r.must ?? ''}`),
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
