/**
 * The ServiceManager contract: unknown units are refused in pre-flight (UnsafeError, exit 3);
 * restart brings a unit back with a new process; a unit that cannot start is a DeliveryError
 * within the bounded wait; the start command and environment come from the unit's definition.
 */
import { describe, expect, test } from 'vitest';
import { DeliveryError } from '../../src/core/errors.js';
import type { ServiceManager } from '../../src/core/ports.js';

const sig = () => new AbortController().signal;

export interface ServiceWorld {
  svc: ServiceManager;
  /** a unit that runs `argv` with `env` (a non-secret variable, for environment()) */
  unit: string;
  argv: string[];
  env: Record<string, string>;
  /** a unit that exits at once whenever it is started */
  failing: string;
  unknown: string;
  /** the main PID of a unit, as the manager reports it */
  pid(unit: string): Promise<number | null>;
}

export function serviceManagerContract(name: string, make: () => Promise<ServiceWorld>) {
  describe(`ServiceManager contract: ${name}`, () => {
    test('pre-flight refuses a unit the manager does not know (exit 3)', async () => {
      const w = await make();
      await expect(w.svc.preflight(w.unknown, [], sig())).rejects.toMatchObject({ exitCode: 3 });
      await w.svc.preflight(w.unit, [], sig());
    });

    test('restart brings the unit back with a new main process', async () => {
      const w = await make();
      const before = await w.pid(w.unit);
      await w.svc.restart(w.unit, sig(), { startTimeoutMs: 15_000, settleMs: 300 });
      expect(await w.svc.isActive(w.unit, sig())).toBe(true);
      const after = await w.pid(w.unit);
      expect(after).not.toBeNull();
      expect(after).not.toBe(before);
    });

    test('a unit that cannot start fails the restart within the bounded wait (a DeliveryError)', async () => {
      const w = await make();
      await expect(w.svc.restart(w.failing, sig(), { startTimeoutMs: 3_000, settleMs: 300 })).rejects.toBeInstanceOf(DeliveryError);
      expect(await w.svc.isActive(w.failing, sig())).toBe(false);
    });

    test('start command and environment come from the unit definition', async () => {
      const w = await make();
      expect(await w.svc.startCommand(w.unit, sig())).toEqual(w.argv);
      const env = (await w.svc.environment(w.unit, sig())).vars;
      for (const [k, v] of Object.entries(w.env)) expect(env[k]?.reveal()).toBe(v);
    });
  });
}
