import { describe, expect, test } from 'vitest';
import { defaultPolicyPath } from '../../src/cli/args.js';
import { openclawPrefix } from '../../src/cli/detect-openclaw.js';
import { parsePolicy } from '../../providers/registry.js';
import { status } from '../../src/usecases/status.js';
import { NEW, policyText } from '../harness/fake-world.js';
import { fakeDeps } from '../harness/memory-stores.js';
import { put } from '../../src/usecases/put.js';

describe('rekey init helpers', () => {
  test('the openclaw of a unit: the words before `gateway`, through rekey exec too; none without it', () => {
    expect(openclawPrefix(['/opt/node24/bin/node', '/opt/oc/openclaw.mjs', 'gateway', 'run', '--port', '1'])).toEqual(['/opt/node24/bin/node', '/opt/oc/openclaw.mjs']);
    expect(openclawPrefix(['/usr/bin/node', '/r/main.js', 'exec', '--agent', 'main', '--env', 'prod', '--', '/usr/local/bin/openclaw', 'gateway'])).toEqual(['/usr/local/bin/openclaw']);
    expect(openclawPrefix(['/bin/sleep', 'infinity'])).toBeNull();
  });
  test('the default policy is per user, whatever the current directory', () => {
    expect(defaultPolicyPath({ HOME: '/home/op' })).toBe('/home/op/.config/rekey/rekey.yaml');
    expect(defaultPolicyPath({ HOME: '/home/op', XDG_CONFIG_HOME: '/cfg' })).toBe('/cfg/rekey/rekey.yaml');
  });
});

describe('status', () => {
  test('a ref with only a pending version awaits its first rotation: not OVERDUE; a ref with nothing at all is', async () => {
    const w = fakeDeps();
    const policy = parsePolicy(policyText.replace('ref: openclaw/{env}/anthropic', 'ref: openclaw/{env}/anthropic\n    maxAge: 90d'));
    expect((await status(policy, 'anthropic', w.deps))[0]!.refs[0]!.overdue).toBe(true);
    await put(policy, 'anthropic', { env: 'prod' }, NEW, w.deps);
    expect((await status(policy, 'anthropic', w.deps))[0]!.refs[0]!.overdue).toBe(false);
  });
});
