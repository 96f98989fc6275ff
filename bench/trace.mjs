// `npm run bench -- N P --contain-only --trace`: where a revoke's wall time goes above its floor.
// Every port call of the deps (service, verifier, sink, backend, journal, snapshots, locks, audit,
// residue, probe, openclaw, retry, clock.sleep) is recorded with its start and end; the report
// (stderr) gives the time with fewer than P restarts/verifications running, the longer such
// gaps, each method's first start and last end, and each method's calls and total time.

/** runs `fn`, recording [start, end, port, what] */
async function timeCall(events, port, what, fn, onEnd = () => {}) {
  const t = performance.now();
  try {
    return await fn();
  } finally {
    const end = performance.now();
    events.push([t, end, port, what]);
    onEnd(port, end - t);
  }
}

/** wraps every async method of a port: each call is recorded as [start, end, port, method] */
export function traced(obj, port, events, onEnd) {
  return new Proxy(obj, {
    get(target, prop) {
      const v = target[prop];
      if (typeof v !== 'function') return v;
      return (...args) => timeCall(events, port, String(prop), () => v.apply(target, args), onEnd);
    },
  });
}

/** the deps with every other port recorded too (service and verifier are wrapped by the caller) */
export function traceAll(deps, base, events) {
  const also = ['journal', 'snapshots', 'locks', 'audit', 'residue', 'openclaw', 'host'];
  const out = { ...deps, sink: (k) => traced(base.sink(k), 'sink', events), backend: (k) => traced(base.backend(k), 'backend', events) };
  for (const p of also) if (base[p]) out[p] = traced(base[p], p, events);
  if (base.probe) out.probe = (...a) => timeCall(events, 'probe', 'probe', () => base.probe(...a));
  out.clock = { now: () => base.clock.now(), sleep: (ms, s) => timeCall(events, 'clock', `sleep ${ms}`, () => base.clock.sleep(ms, s)) };
  out.retry = (what, fn) => timeCall(events, 'retry', what.split(' ').slice(0, 2).join(' '), () => base.retry(what, fn));
  return out;
}

/** the report of the events between `from` and `until` (ms, performance.now()) at parallelism P */
export function traceReport(events, from, until, P) {
  const ev = events.filter((e) => e[0] >= from && e[0] <= until);
  const pts = [];
  for (const e of ev.filter((e) => e[2] === 'service' || e[2] === 'verifier')) pts.push([e[0], 1], [e[1], -1]);
  pts.sort((a, b) => a[0] - b[0]);
  let running = 0;
  let last = from;
  const short = Array(P).fill(0);
  const gaps = [];
  for (const [t, d] of pts) {
    if (running < P) {
      short[running] += t - last;
      if (t - last > 40) gaps.push(`${Math.round(last - from)} ms: ${Math.round(t - last)} ms with ${running} running`);
    }
    running += d;
    last = t;
  }
  if (running < P) short[running] += until - last;
  const spans = {};
  const byMethod = {};
  for (const e of ev) {
    const k = `${e[2]}.${e[3]}`;
    spans[k] ??= [Math.round(e[0] - from), 0];
    spans[k][1] = Math.max(spans[k][1], Math.round(e[1] - from));
    byMethod[k] ??= { calls: 0, ms: 0 };
    byMethod[k].calls++;
    byMethod[k].ms += e[1] - e[0];
  }
  const lines = [`trace: wall ${Math.round(until - from)} ms; time with fewer than ${P} restarts/verifications running: ${short.map((ms, n) => `${n} running ${Math.round(ms)} ms`).join(', ')}`];
  lines.push(`trace: gaps over 40 ms: ${gaps.join('; ') || 'none'}`);
  lines.push('trace: method | calls | total ms | first start → last end (ms from the start)');
  for (const [k, v] of Object.entries(byMethod)) lines.push(`trace: ${k} | ${v.calls} | ${Math.round(v.ms)} | ${spans[k][0]} → ${spans[k][1]}`);
  return lines.join('\n') + '\n';
}
