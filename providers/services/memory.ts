import { DeliveryError } from '../../src/core/errors.js';
import type { ServiceManager } from '../../src/core/ports.js';

/** The service-manager fake: counts restarts; `failRestart` makes restarts of a unit fail. */
export function createMemoryService(): ServiceManager & { restarts: string[]; failRestart: Set<string>; reads: Map<string, string[]>; commands: Map<string, string[]> } {
  const restarts: string[] = [];
  const failRestart = new Set<string>();
  const reads = new Map<string, string[]>();
  const commands = new Map<string, string[]>();
  return {
    kind: 'memory',
    seesProcesses: false,
    restarts,
    failRestart,
    reads,
    commands,
    async preflight() {},
    async startCommand(unit) {
      return commands.get(unit) ?? [];
    },
    async restart(unit) {
      restarts.push(unit);
      if (failRestart.has(unit)) throw new DeliveryError('UNIT_FAILED', `unit ${unit} failed after restart (injected)`);
    },
    async isActive(unit) {
      return !failRestart.has(unit);
    },
    async environment(unit) {
      return { vars: {}, files: reads.get(unit) ?? [] };
    },
    async running() {
      return null;
    },
  };
}
