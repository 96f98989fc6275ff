/**
 * Audit devices, as Vault has them: records go to the file and to the systemd journal (a real
 * systemd-journald, started in a private mount namespace so it cannot touch the host's), and
 * syslog through journald's syslog socket; with no device able to record, nothing is changed
 * (exit 4). The real CLI; `journalctl -o json` reads what was recorded.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { lightPolicy } from '../harness/light-policy.js';
import { REKEY_MAIN, rekeyAsync } from '../harness/rekey-cli.js';

const KEY = 'sk-ant-journald-canary-0000000000000000000000000001';
const policyWith = (devices: string, envFile: string) => lightPolicy({ envFile, reason: 'audit devices only', audit: `{ devices: ${devices} }` });

function setup(devices: string) {
  const root = mkdtempSync(join(tmpdir(), 'rekey-devices-'));
  const policy = join(root, 'policy.yaml');
  writeFileSync(policy, policyWith(devices, join(root, 'gw.env')));
  const env = { HOME: root, REKEY_HOME: join(root, 'rekey'), PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };
  return { root, policy, env };
}

describe('audit devices', () => {
  test('journald and syslog (through journald) get every record with its chain fields, never a value', () => {
    const { root, policy, env } = setup('[{ kind: file }, { kind: journald }, { kind: syslog, socket: /run/systemd/journal/dev-log }]');
    writeFileSync(join(root, 'key.txt'), KEY);
    // a private /run/systemd with its own journald: rekey runs inside that namespace
    const script = `set -e
mount -t tmpfs tmpfs /run/systemd
mount -t tmpfs tmpfs /run/log 2>/dev/null || true
mkdir -p /run/systemd/journal
/lib/systemd/systemd-journald & JD=$!
for i in $(seq 50); do [ -S /run/systemd/journal/socket ] && break; sleep 0.1; done
"${process.execPath}" "${REKEY_MAIN}" init --policy "${policy}" > /dev/null
"${process.execPath}" "${REKEY_MAIN}" put anthropic --env prod --stdin --policy "${policy}" < "${root}/key.txt" > /dev/null
sleep 0.5
journalctl -o json --no-pager SYSLOG_IDENTIFIER=rekey > "${root}/journal.json"
kill $JD`;
    const r = spawnSync('unshare', ['--mount', 'sh', '-c', script], { env, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const entries = readFileSync(join(root, 'journal.json'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    const structured = entries.find((e) => e.REKEY_SECRET === 'anthropic' && e.REKEY_OUTCOME === 'stored');
    expect(structured, JSON.stringify(entries)).toBeDefined();
    expect(structured!.REKEY_COMMAND).toBe('put');
    expect(structured!.REKEY_SEQ).toBe('1');
    expect(structured!.REKEY_HASH).toMatch(/^[0-9a-f]{64}$/);
    const file = readFileSync(join(root, 'rekey', 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(structured!.REKEY_HASH).toBe(file[0].hash);
    expect(JSON.parse(structured!.REKEY_RECORD!).newFingerprints).toEqual(file[0].newFingerprints);
    const viaSyslog = entries.find((e) => e._TRANSPORT === 'syslog' && /rekey put anthropic: stored/.test(e.MESSAGE ?? ''));
    expect(viaSyslog, JSON.stringify(entries.map((e) => e._TRANSPORT))).toBeDefined();
    expect(JSON.stringify(entries)).not.toContain(KEY);
  });

  test('no device can record (journald only, and no journal here): put and rotate change nothing, exit 4; with the file too it goes on and names the device that is down', async () => {
    const { env, policy, root } = setup('[{ kind: journald }]');
    const cli = (args: string[], input?: string) => rekeyAsync([...args, '--policy', policy], env, input);
    expect((await cli(['init'])).code).toBe(0);
    const put = await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], KEY);
    expect(put.code, put.stderr).toBe(4);
    expect(put.stderr).toMatch(/no audit device can record \(journald: no journal socket at \/run\/systemd\/journal\/socket\)/);
    const st = JSON.parse((await cli(['status', 'anthropic', '--json', '--skip-sources'])).stdout);
    expect(st.secrets[0].refs[0].versions).toEqual([]);
    // with the file as a second device the run goes on, and says which device is down
    writeFileSync(policy, policyWith('[{ kind: journald }, { kind: file }]', join(root, 'gw.env')));
    const ok = await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], KEY);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/audit device journald cannot record/);
    // a rotation (and its dry run) is refused before anything is read from the consumers or written
    writeFileSync(policy, policyWith('[{ kind: journald }]', join(root, 'gw.env')));
    for (const args of [['rotate', 'anthropic'], ['rotate', 'anthropic', '--dry-run']]) {
      const r = await cli(args);
      expect(r.code, r.stderr).toBe(4);
      expect(r.stderr).toMatch(/AUDIT_UNAVAILABLE|no audit device can record/);
    }
    expect(existsSync(join(root, 'gw.env'))).toBe(false);
  });
});
