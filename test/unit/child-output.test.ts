/**
 * Child output never carries a secret into rekey's error text: a real child process that echoes
 * its whole environment and its stdin to stderr, then fails, through the real Exec adapter.
 */
import { describe, expect, test } from 'vitest';
import { childMessage } from '../../src/core/child-output.js';
import { SecretValue } from '../../src/core/secret-value.js';
import { createExec } from '../../src/io/exec.js';

const TOKEN = 'tok-gateway-0123456789abcdefghijklmnop';
const OTHER = 'sk-openai-other-provider-key-ZZZZZZZZZZZZZZ';
const STDIN = 'sk-ant-pasted-on-stdin-000000000000000000000';
const EXPECTED = 'sk-ant-expected-11111111111111111111111111111';

describe('child output → error text', () => {
  test('every env value, the stdin and the named values are scrubbed before the text is cut', async () => {
    const exec = createExec();
    // prints env and stdin on ONE line (so the first line holds everything), then exits 1
    const r = await exec.run(['/bin/sh', '-c', 'printf "fail: "; env | tr "\\n" " "; printf " stdin="; cat; exit 1'], {
      env: { PATH: '/usr/bin:/bin', HOME: '/home/op', OPENCLAW_GATEWAY_TOKEN: TOKEN, OPENAI_API_KEY: OTHER },
      stdin: STDIN,
    });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain(TOKEN); // the child really printed them
    const msg = childMessage(r, [SecretValue.of(EXPECTED)], 2_000);
    for (const s of [TOKEN, OTHER, STDIN]) {
      expect(msg).not.toContain(s);
      // no prefix of it either (a cut before the scrub leaves one)
      expect(msg).not.toContain(s.slice(0, 12));
    }
    expect(msg).toContain('PATH=/usr/bin:/bin'); // plain settings stay readable
    expect(msg).toMatch(/OPENCLAW_GATEWAY_TOKEN=tok-…mnop#[0-9a-f]{8}/);
    // cut after the scrub: a short limit never leaves part of a secret
    const short = childMessage(r, [], 60);
    expect(short.length).toBeLessThanOrEqual(60);
    for (const s of [TOKEN, OTHER, STDIN]) for (let n = 8; n <= s.length; n++) expect(short).not.toContain(s.slice(0, n));
  });
});
