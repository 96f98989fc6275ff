import { describe, expect, test } from 'vitest';
import type { Target } from '../../src/core/target.js';
import { catalog } from '../../providers/registry.js';
import { shadowReport, type SourceObservation } from '../../src/plan/shadow.js';
import { envFileTarget } from '../harness/targets.js';

const ENV = '/h/.openclaw/gateway.systemd.env';
const unit = { kind: 'systemd-user' as const, unit: 'openclaw-gateway.service', name: 'gw', startTimeoutMs: 1, settleMs: 1 };
const none = (): SourceObservation => ({
  profiles: [{ agent: 'main', ids: [] }],
  processEnv: [
    { where: 'openclaw-gateway.service Environment=', sets: false },
    { where: ENV, sets: false },
  ],
  injectedByExec: false,
  dotEnv: { path: '/h/.openclaw/.env', sets: false },
  envVars: { path: '/h/.openclaw/openclaw.json', sets: false },
  configApiKey: { path: '/h/.openclaw/openclaw.json', kind: 'none' },
});
const envTarget: Target = envFileTarget(ENV, { service: unit });
const profileTarget: Target = envFileTarget(ENV, { sink: { kind: 'openclaw-auth-profile', profileId: 'anthropic:rekey', command: ['openclaw'], timeoutMs: 1000 } });
const keychainTarget: Target = envFileTarget(ENV, { sink: { kind: 'keychain', service: 'rekey/prod/main' }, service: unit });

describe('which source wins (OpenClaw precedence: profile > process env > .env > env.vars > config apiKey)', () => {
  test('a first env-file delivery with nothing else around wins', () => {
    const r = shadowReport(envTarget, none(), catalog);
    expect(r.deliveredWins).toBe(true);
    expect(r.sources).toEqual([{ kind: 'process-env', where: ENV, owned: true, wins: true }]);
  });

  test('a stored profile on the agent beats the env file', () => {
    const o = none();
    o.profiles = [{ agent: 'main', ids: ['anthropic:stale'] }];
    const r = shadowReport(envTarget, o, catalog);
    expect(r.deliveredWins).toBe(false);
    expect(r.winner).toBe('profile main/anthropic:stale');
    expect(r.reason).toMatch(/profile main\/anthropic:stale comes first/);
  });

  test("main's profile is inherited by an agent without its own", () => {
    const o = none();
    o.profiles = [
      { agent: 'work', ids: [] },
      { agent: 'main', ids: ['anthropic:default'] },
    ];
    expect(shadowReport({ ...envTarget, agent: 'work' }, o, catalog).winner).toBe('profile main/anthropic:default');
  });

  test('a later EnvironmentFile= that sets the variable wins over the one rekey writes; an earlier one does not', () => {
    const o = none();
    o.processEnv.push({ where: '/h/later.env', sets: true });
    expect(shadowReport(envTarget, o, catalog).winner).toBe('process-env /h/later.env');
    const p = none();
    p.processEnv[0]!.sets = true; // Environment= comes before every file
    expect(shadowReport(envTarget, p, catalog).deliveredWins).toBe(true);
  });

  test('~/.openclaw/.env, env.vars and a config apiKey lose to the process env but shadow nothing above them', () => {
    const o = none();
    o.dotEnv.sets = true;
    o.envVars.sets = true;
    o.configApiKey = { path: '/h/.openclaw/openclaw.json', kind: 'string' };
    const r = shadowReport(envTarget, o, catalog);
    expect(r.deliveredWins).toBe(true);
    expect(r.sources.map((s) => s.kind)).toEqual(['process-env', 'dot-env', 'env-vars', 'config-apikey']);
    expect(r.sources.filter((s) => s.owned).length).toBe(1);
  });

  test('an env file delivery to ~/.openclaw/.env loses to a key in the unit environment', () => {
    const o = none();
    o.processEnv[1]!.sets = true;
    const r = shadowReport(envFileTarget('/h/.openclaw/.env', { service: unit }), o, catalog);
    expect(r.deliveredWins).toBe(false);
    expect(r.winner).toBe(`process-env ${ENV}`);
  });

  test('an auth-profile delivery must be the only profile of its provider', () => {
    expect(shadowReport(profileTarget, none(), catalog).deliveredWins).toBe(true);
    const o = none();
    o.profiles = [{ agent: 'main', ids: ['anthropic:rekey', 'anthropic:manual'] }];
    const r = shadowReport(profileTarget, o, catalog);
    expect(r.deliveredWins).toBe(false);
    expect(r.reason).toMatch(/anthropic:manual/);
  });

  test('a keychain delivery through rekey exec beats every env file, not a stored profile', () => {
    const o = none();
    o.processEnv[1]!.sets = true;
    expect(shadowReport(keychainTarget, o, catalog).winner).toBe('rekey-exec rekey/prod/main/ANTHROPIC_API_KEY');
    o.profiles = [{ agent: 'main', ids: ['anthropic:x'] }];
    expect(shadowReport(keychainTarget, o, catalog).deliveredWins).toBe(false);
  });
});
