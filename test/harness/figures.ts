/**
 * Reliability figures: each reliability test records rows; the global setup's teardown prints them
 * as one table after the run (test/reliability/summary.ts).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

export const FIGURES_DIR = process.env.REKEY_FIGURES_DIR ?? join(tmpdir(), 'rekey-figures');

export interface Figure {
  suite: string;
  measure: string;
  value: number | string;
  /** what the value must be, shown beside it (e.g. "0") */
  must?: string;
}

export function record(f: Figure): void {
  mkdirSync(FIGURES_DIR, { recursive: true });
  appendFileSync(join(FIGURES_DIR, 'figures.jsonl'), JSON.stringify(f) + '\n');
}
