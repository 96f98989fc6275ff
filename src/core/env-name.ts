/** A portable environment variable name: letters, digits and _, not starting with a digit. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Stale alternates OpenClaw also reads for a provider key (openclaw.md): a rotation removes them. */
export function providerAlternates(envVar: string, provider: string | undefined): (name: string) => boolean {
  const stem = envVar.endsWith('_API_KEY') ? envVar.slice(0, -'_API_KEY'.length) : null;
  const live = provider ? `OPENCLAW_LIVE_${provider.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_KEY` : null;
  return (name) => name !== envVar && ((stem !== null && (name === `${stem}_API_KEYS` || name.startsWith(`${stem}_API_KEY_`))) || name === live);
}
