import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createSystemdEnvFileSink } from '../../providers/sinks/systemd-env-file.js';
import { SecretValue } from '../../src/core/secret-value.js';
import { envFileTarget } from '../harness/targets.js';

const sig = new AbortController().signal;
const NEW = SecretValue.of('sk-ant-new-000000000000000000');
const sink = createSystemdEnvFileSink();
const fresh = () => {
  const dir = mkdtempSync(join(tmpdir(), 'rekey-hostile-'));
  chmodSync(dir, 0o700);
  return dir;
};

describe('systemd-env-file sink on a hostile file system', () => {
  test('refuses a target that is a symlink (to /etc/passwd), leaving it untouched', async () => {
    const dir = fresh();
    const path = join(dir, 'gateway.systemd.env');
    symlinkSync('/etc/passwd', path);
    const before = readFileSync('/etc/passwd');
    await expect(sink.write(envFileTarget(path), NEW, sig)).rejects.toMatchObject({ code: 'SYMLINK', exitCode: 3 });
    await expect(sink.check(envFileTarget(path), sig)).rejects.toMatchObject({ code: 'SYMLINK' });
    expect(readFileSync('/etc/passwd').equals(before)).toBe(true);
  });

  test('refuses a group- or world-writable directory', async () => {
    for (const mode of [0o770, 0o777, 0o1777]) {
      const dir = fresh();
      chmodSync(dir, mode);
      await expect(sink.write(envFileTarget(join(dir, 'x.env')), NEW, sig)).rejects.toMatchObject({ code: 'DIR_WRITABLE_BY_OTHERS' });
    }
  });

  test('refuses a file owned by another user', async () => {
    const dir = fresh();
    const path = join(dir, 'x.env');
    writeFileSync(path, 'A=1\n', { mode: 0o600 });
    chownSync(path, 4242, 4242);
    await expect(sink.write(envFileTarget(path), NEW, sig)).rejects.toMatchObject({ code: 'WRONG_OWNER' });
    expect(readFileSync(path, 'utf8')).toBe('A=1\n');
  });

  test('writes as the configured owner with mode 0600, narrowing a 0644 file', async () => {
    const dir = fresh();
    const path = join(dir, 'x.env');
    writeFileSync(path, 'A=1\n', { mode: 0o644 });
    chownSync(path, 4242, 4242);
    const t = envFileTarget(path, { sink: { kind: 'systemd-env-file', path, owner: 4242, removeAlternates: true } });
    await sink.write(t, NEW, sig);
    const st = statSync(path);
    expect(st.mode & 0o777).toBe(0o600);
    expect(st.uid).toBe(4242);
    expect(readFileSync(path, 'utf8')).toBe(`A=1\nANTHROPIC_API_KEY=${NEW.reveal()}\n`);
  });

  test('a refused value changes nothing on disk and leaves no temp file', async () => {
    const dir = fresh();
    const path = join(dir, 'x.env');
    writeFileSync(path, 'ANTHROPIC_API_KEY=old\n', { mode: 0o600 });
    await expect(sink.write(envFileTarget(path), SecretValue.of('bad\nINJECTED=1'), sig)).rejects.toMatchObject({ code: 'UNSAFE_VALUE' });
    expect(readFileSync(path, 'utf8')).toBe('ANTHROPIC_API_KEY=old\n');
    expect(readdirSync(dir)).toEqual(['x.env']);
  });

  test('restore is byte for byte, including CRLF lines and comments', async () => {
    const dir = fresh();
    const path = join(dir, 'x.env');
    const original = '# ops\r\nexport A="x y"\r\nANTHROPIC_API_KEY=old\n\n#end';
    writeFileSync(path, original, { mode: 0o600 });
    const t = envFileTarget(path);
    const snap = await sink.snapshot(t, sig);
    await sink.write(t, NEW, sig);
    expect(readFileSync(path, 'utf8')).not.toBe(original);
    await sink.restore(t, snap, sig);
    expect(readFileSync(path, 'utf8')).toBe(original);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  test('a missing parent directory is a clear refusal', async () => {
    const dir = fresh();
    mkdirSync(join(dir, 'sub'), { mode: 0o700 });
    await expect(sink.check(envFileTarget(join(dir, 'nope', 'x.env')), sig)).rejects.toMatchObject({ code: 'DIR_MISSING' });
  });
});

describe('hostile paths on a real file system', () => {
  test('a hard-linked env file is refused (the rename would leave the old key at the other link); a foreign-owned directory too', async () => {
    const { assertSafeTarget } = await import('../../src/io/atomic-write.js');
    const { chownSync, linkSync, mkdirSync, mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const root = mkdtempSync(join(tmpdir(), 'rekey-paths-'));
    const file = join(root, 'gateway.env');
    writeFileSync(file, 'ANTHROPIC_API_KEY=old\n', { mode: 0o600 });
    await expect(assertSafeTarget(file)).resolves.toBeUndefined();
    linkSync(file, join(root, 'copy.env'));
    await expect(assertSafeTarget(file)).rejects.toMatchObject({ code: 'HARD_LINKED', exitCode: 3 });
    if (process.getuid?.() === 0) {
      const foreign = join(root, 'theirs');
      mkdirSync(foreign, { mode: 0o700 });
      chownSync(foreign, 4242, 4242);
      await expect(assertSafeTarget(join(foreign, 'gateway.env'))).rejects.toMatchObject({ code: 'DIR_FOREIGN_OWNER', exitCode: 3 });
      // the service's own user may own it
      await expect(assertSafeTarget(join(foreign, 'gateway.env'), 4242)).resolves.toBeUndefined();
    }
  });
});
