/** What every doctor check reads, looked at once per run: targets, current values, the units and what runs in them. */
import type { OpenclawCli, OpenclawInstall } from '../../core/openclaw.js';
import type { HostInfo, RunningProcess, ServiceEnvironment } from '../../core/ports.js';
import type { SecretValue } from '../../core/secret-value.js';
import { openclawOf, type Target } from '../../core/target.js';
import type { Plan } from '../../plan/planner.js';
import type { Policy } from '../../policy/schema.js';
import { withTimeout } from '../../rotation/timeout.js';
import type { RekeyDeps } from '../context.js';

export type DoctorDeps = RekeyDeps & { host: HostInfo; openclaw: OpenclawCli };

/** one unit some target of the policy names */
export interface UnitView {
  unit: string;
  service: NonNullable<Target['service']>;
  argv: string[];
  /** the openclaw the unit runs (argv prefix up to the openclaw word), or null */
  openclaw: string[] | null;
  /** it runs `openclaw … gateway …` */
  gateway: boolean;
  /** `--port N` on its command line */
  port: number | undefined;
  /** the deployment its targets' openclaw commands read (state dir, config) */
  install: OpenclawInstall | null;
  running: RunningProcess | null;
  seesProcesses: boolean;
  environment: ServiceEnvironment;
}

export interface DoctorContext {
  policy: Policy;
  deps: DoctorDeps;
  plans: Plan[];
  /** the operator's PATH (binary split) */
  searchPath: string;
  /** the backend's current value for a target's ref (null: none); read once per ref */
  current(t: Target): Promise<SecretValue | null>;
  /** what a target's sink holds now (null: nothing); read once per target */
  held(t: Target): Promise<SecretValue | null>;
  units(): Promise<UnitView[]>;
  /** one port call, bounded by the step timeout */
  bound<T>(p: Promise<T>, what: string): Promise<T>;
}

const OPENCLAW_WORD = /(^|\/)openclaw(\.mjs|\.js)?$/;

/** the argv prefix that runs openclaw (`node …/openclaw.mjs` or `…/openclaw`), or null */
export function openclawPrefix(argv: string[]): string[] | null {
  const i = argv.findIndex((w) => OPENCLAW_WORD.test(w));
  return i < 0 ? null : argv.slice(0, i + 1);
}

export function doctorContext(policy: Policy, plans: Plan[], deps: DoctorDeps, searchPath: string): DoctorContext {
  const bound = <T>(p: Promise<T>, what: string) => withTimeout(p, deps.stepTimeoutMs, what, deps.signal);
  const currents = new Map<string, Promise<SecretValue | null>>();
  let unitViews: Promise<UnitView[]> | null = null;
  const targets = plans.flatMap((p) => p.targets);
  const current = (t: Target) => {
    const key = `${t.backend}\0${t.ref}`;
    let p = currents.get(key);
    if (!p) {
      const backend = deps.backend(t.backend);
      p = deps.retry(`read current ${t.ref}`, () => bound(backend.read(t.ref, 'current', deps.signal), `read current ${t.ref}`)).then((r) => r?.value ?? null);
      currents.set(key, p);
    }
    return p;
  };
  const helds = new Map<string, Promise<SecretValue | null>>();
  const held = (t: Target) => {
    let p = helds.get(t.id);
    if (!p) helds.set(t.id, (p = bound(deps.sink(t.sink.kind).read(t, deps.signal), `read ${t.id}`)));
    return p;
  };
  const loadUnits = async (): Promise<UnitView[]> => {
    const byUnit = new Map<string, Target[]>();
    for (const t of targets) if (t.service) byUnit.set(t.service.unit, [...(byUnit.get(t.service.unit) ?? []), t]);
    const out: UnitView[] = [];
    for (const [unit, ts] of byUnit) {
      const service = ts[0]!.service!;
      const mgr = deps.service(service);
      const argv = await bound(mgr.startCommand(unit, deps.signal), `start command of ${unit}`).catch(() => [] as string[]);
      const oc = openclawPrefix(argv);
      const rest = oc ? argv.slice(oc.length) : [];
      const portAt = rest.indexOf('--port');
      const port = portAt >= 0 ? Number(rest[portAt + 1]) : NaN;
      const fromTarget = ts.map(openclawOf).find((o) => o !== null) ?? null;
      out.push({
        unit,
        service,
        argv,
        openclaw: oc,
        gateway: oc !== null && rest.includes('gateway'),
        port: Number.isInteger(port) ? port : undefined,
        install: fromTarget ? { command: oc ?? fromTarget.command, stateDir: fromTarget.stateDir, configPath: fromTarget.configPath } : oc ? { command: oc } : null,
        running: await bound(mgr.running(unit, deps.signal), `running process of ${unit}`).catch(() => null),
        seesProcesses: mgr.seesProcesses,
        environment: await bound(mgr.environment(unit, deps.signal), `environment of ${unit}`).catch(() => ({ vars: {}, files: [] })),
      });
    }
    return out;
  };
  return { policy, deps, plans, searchPath, current, held, units: () => (unitViews ??= loadUnits()), bound };
}
