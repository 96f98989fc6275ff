/**
 * A stand-in for macOS `launchctl` (launchd cannot run on Linux): an Exec that answers
 * `print <domain>/<uid>/<label>` in launchctl's print format (the `key = value` lines OpenClaw's own
 * launchd code parses: state, pid, last exit status; see test/fixtures/launchd/, written by hand
 * after that format, not captured from a Mac) and `kickstart -k <target>` by killing and starting the job.
 * A job whose `failsWith` is set exits at once after a kickstart, as a job that cannot start does.
 * It records every argv so tests can check the exact command lines.
 */
import type { Exec, ExecResult } from '../../src/core/ports.js';

export interface FakeJob {
  plist: string;
  pid: number | null;
  failsWith?: number;
  runs: number;
}

export function createFakeLaunchctl(uid: number) {
  const jobs = new Map<string, FakeJob>();
  const calls: string[][] = [];
  let nextPid = 1000;
  const res = (code: number, stdout = '', stderr = ''): ExecResult => ({ code, signal: null, stdout, stderr, timedOut: false });
  const printJob = (target: string, j: FakeJob) =>
    [
      `${target} = {`,
      `\tactive count = ${j.pid ? 1 : 0}`,
      `\ttype = LaunchAgent`,
      `\tstate = ${j.pid ? 'running' : 'not running'}`,
      '',
      '\targuments = {',
      '\t\t/bin/sleep',
      '\t}',
      '',
      `\tenvironment = {`,
      `\t\tXPC_SERVICE_NAME => x`,
      '\t}',
      '',
      `\truns = ${j.runs}`,
      ...(j.pid ? [`\tpid = ${j.pid}`] : []),
      `\tlast exit code = ${j.failsWith ?? '(never exited)'}`,
      ...(j.failsWith !== undefined ? [`\tlast exit status = ${j.failsWith}`] : []),
      '}',
      '',
    ].join('\n');
  const exec: Exec = {
    async run(argv) {
      calls.push([...argv]);
      const [, verb, ...rest] = argv;
      const target = rest.at(-1) ?? '';
      const [domain, u, label] = target.split('/');
      const job = (domain === 'gui' || domain === 'user') && Number(u) === uid ? jobs.get(label ?? '') : undefined;
      if (verb === 'print') {
        if (!job) return res(113, '', `Could not find service "${label}" in domain for user gui: ${uid}\n`);
        return res(0, printJob(target, job));
      }
      if (verb === 'kickstart') {
        if (!job) return res(113, '', `Could not find service "${label}" in domain for user gui: ${uid}\n`);
        job.runs++;
        job.pid = job.failsWith !== undefined ? null : nextPid++;
        return res(0);
      }
      return res(64, '', `Unrecognized subcommand: ${verb}\n`);
    },
  };
  return { exec, jobs, calls };
}
