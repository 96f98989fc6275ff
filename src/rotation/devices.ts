import type { Plan } from '../plan/planner.js';
import { tokenRole } from '../plan/planner.js';
import type { RekeyDeps } from './context.js';

export interface DeviceReport {
  target: string;
  paired: { deviceId: string; name?: string; roles: string[] }[];
  pending: number;
  error?: string;
}

/** For a Gateway-token plan: the paired devices of every server target's Gateway (not rotated by a shared-token rotation). */
export async function pairedDevices(plan: Plan, deps: Pick<RekeyDeps, 'devices' | 'signal'>): Promise<DeviceReport[]> {
  if (plan.layer !== 'gateway-token' || !deps.devices) return [];
  const out: DeviceReport[] = [];
  for (const t of plan.targets.filter((x) => tokenRole(x) === 'server')) {
    try {
      out.push({ target: t.id, ...(await deps.devices(t, deps.signal)) });
    } catch (e) {
      out.push({ target: t.id, paired: [], pending: 0, error: (e as Error).message });
    }
  }
  return out;
}
