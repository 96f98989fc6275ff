import { renderPlist } from './plist.js';

export interface UnitSpec {
  /** launchd Label, or the systemd unit's description */
  label: string;
  /** the full start command: rekey exec … -- <command…> */
  argv: string[];
  /** non-secret environment (PATH, HOME, REKEY_HOME); credentials come from rekey exec */
  env: Record<string, string>;
  /** launchd only: where stdout/stderr go */
  logDir?: string;
}

/** A LaunchAgent plist whose ProgramArguments run the command through `rekey exec`. */
export function renderLaunchdPlist(u: UnitSpec): string {
  return renderPlist({
    Label: u.label,
    ProgramArguments: u.argv,
    RunAtLoad: true,
    KeepAlive: true,
    ...(Object.keys(u.env).length ? { EnvironmentVariables: u.env } : {}),
    ...(u.logDir ? { StandardOutPath: `${u.logDir}/${u.label}.log`, StandardErrorPath: `${u.logDir}/${u.label}.err.log` } : {}),
  });
}

/**
 * systemd quoting: every word double-quoted, \ and " escaped, % doubled (no specifiers); in
 * ExecStart= also $ doubled (no variable expansion). Environment= does not expand $.
 */
export function systemdQuote(word: string, where: 'exec' | 'environment' = 'exec'): string {
  const special = where === 'exec' ? /[\\"%$]/g : /[\\"%]/g;
  return `"${word.replace(special, (c) => (c === '%' ? '%%' : c === '$' ? '$$' : `\\${c}`))}"`;
}

/** A systemd user unit whose ExecStart= runs the command through `rekey exec`. */
export function renderSystemdUnit(u: UnitSpec): string {
  for (const w of [...u.argv, ...Object.values(u.env)]) {
    if (/[\n\r\0]/.test(w)) throw new Error('a word with a newline or NUL cannot go into a unit file');
  }
  return [
    '[Unit]',
    `Description=${u.label} (credentials through rekey exec)`,
    'After=network-online.target',
    '',
    '[Service]',
    ...Object.entries(u.env).map(([k, v]) => `Environment=${systemdQuote(`${k}=${v}`, 'environment')}`),
    `ExecStart=${u.argv.map((w) => systemdQuote(w)).join(' ')}`,
    'Restart=always',
    'RestartSec=5',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}
