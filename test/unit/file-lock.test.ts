import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createFileLockManager } from '../../src/io/file-lock.js';

const now = () => new Date();

describe('file lock', () => {
  test('a second acquire while held is refused with exit 3 naming the holder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rekey-lock-'));
    const locks = createFileLockManager(dir, now);
    const h = await locks.acquire('anthropic', { rotationId: 'r1', command: 'rotate' });
    await expect(locks.acquire('anthropic', { rotationId: 'r2', command: 'rotate' })).rejects.toMatchObject({ code: 'LOCK_HELD', exitCode: 3 });
    await h.release();
    const h2 = await locks.acquire('anthropic', { rotationId: 'r2', command: 'rotate' });
    await h2.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  test('a lock left by a dead process is stale and recovered', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rekey-lock-'));
    const dead = spawnSync('true').pid!; // a pid that has exited
    writeFileSync(join(dir, 'anthropic.lock'), JSON.stringify({ pid: dead, host: hostname(), rotationId: 'old', command: 'rotate', since: 'x' }));
    const locks = createFileLockManager(dir, now);
    expect((await locks.inspect('anthropic'))!.alive).toBe(false);
    const h = await locks.acquire('anthropic', { rotationId: 'r', command: 'rotate' });
    expect((await locks.inspect('anthropic'))!.alive).toBe(true);
    await h.release();
  });

  test('a live owner is never taken over, even if the lock is old', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rekey-lock-'));
    writeFileSync(join(dir, 'anthropic.lock'), JSON.stringify({ pid: process.ppid, host: hostname(), rotationId: 'old', command: 'rotate', since: '2000-01-01T00:00:00Z' }));
    await expect(createFileLockManager(dir, now).acquire('anthropic', { rotationId: 'r', command: 'rotate' })).rejects.toMatchObject({ code: 'LOCK_HELD' });
  });

  test('a torn lock file: held while young (its owner may be writing it), stale once old', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rekey-lock-'));
    const p = join(dir, 'anthropic.lock');
    writeFileSync(p, '');
    const locks = createFileLockManager(dir, now);
    await expect(locks.acquire('anthropic', { rotationId: 'r', command: 'rotate' })).rejects.toMatchObject({ code: 'LOCK_HELD' });
    utimesSync(p, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const h = await locks.acquire('anthropic', { rotationId: 'r', command: 'rotate' });
    await h.release();
  });
});
