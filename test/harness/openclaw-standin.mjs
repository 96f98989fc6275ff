#!/usr/bin/env node
/**
 * A light stand-in for the two read-only `openclaw` calls a provider-key rotation through an env
 * file makes: `models status --json [--check] --agent A` and `models auth list --json`. It answers
 * in the real CLI's JSON shape (captured from openclaw 2026.9.6, openclaw.md) from its own process
 * environment, as the real CLI-local view does, in ~50 ms instead of 2–8 s.
 *
 * Used only where the subject is rekey's own machinery (the crash matrices: journal, resume,
 * rollback; the leak and concurrency suites): the real CLI and the real Gateway are exercised by
 * the integration tests. It holds no stored profiles, reads no .env and no config, and exits 2
 * on any other command, so a code path that needs the real CLI fails loudly here.
 */
const args = process.argv.slice(2);
const has = (a) => args.includes(a);
const opt = (a) => (args.indexOf(a) >= 0 ? args[args.indexOf(a) + 1] : undefined);

function mask(v) {
  if (v.length > 16) return `${v.slice(0, 8)}...${v.slice(-8)}`;
  if (v.length > 6) return `${v.slice(0, 2)}...${v.slice(-2)}`;
  return `${v.slice(0, 1)}...${v.slice(-1)}`;
}

const PROVIDERS = { anthropic: 'ANTHROPIC_API_KEY', openai: 'OPENAI_API_KEY' };

if (args[0] === 'models' && args[1] === 'status' && has('--json')) {
  const providers = [];
  const missing = [];
  for (const [provider, name] of Object.entries(PROVIDERS)) {
    const v = process.env[name];
    const profiles = { count: 0, oauth: 0, token: 0, apiKey: 0, labels: [] };
    if (v) providers.push({ provider, effective: { kind: 'env', detail: mask(v) }, profiles, env: { value: mask(v), source: `env: ${name}` } });
    else if (provider === 'anthropic') {
      providers.push({ provider, effective: { kind: 'missing', detail: 'missing' }, profiles });
      missing.push(provider);
    }
  }
  const out = { agentId: opt('--agent') ?? 'main', auth: { missingProvidersInUse: missing, providers, unusableProfiles: [] } };
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  process.exit(has('--check') && missing.length > 0 ? 1 : 0);
} else if (args[0] === 'models' && args[1] === 'auth' && args[2] === 'list' && has('--json')) {
  process.stdout.write(JSON.stringify({ agentId: opt('--agent') ?? 'main', provider: opt('--provider') ?? null, profiles: [] }, null, 2) + '\n');
  process.exit(0);
} else {
  process.stderr.write(`openclaw stand-in: unsupported command: ${args.join(' ')}\n`);
  process.exit(2);
}
