/** The base URL a consumer's OpenClaw uses for a provider: `models.providers.<p>.baseUrl` in its openclaw.json. */
import { readNoFollow } from '../../src/io/atomic-write.js';
import { openclawOf, type Target } from '../../src/core/target.js';

export async function providerBaseUrl(t: Target, home: string): Promise<string | null> {
  const oc = openclawOf(t);
  const stateDir = oc?.stateDir ?? `${home}/.openclaw`;
  const configPath = oc?.configPath ?? `${stateDir}/openclaw.json`;
  const bytes = await readNoFollow(configPath).catch(() => null);
  if (!bytes) return null;
  try {
    const j = JSON.parse(bytes.toString('utf8')) as { models?: { providers?: Record<string, { baseUrl?: unknown }> } };
    const u = j.models?.providers?.[t.provider ?? '']?.baseUrl;
    return typeof u === 'string' && /^https?:\/\//.test(u) ? u : null;
  } catch {
    return null;
  }
}
