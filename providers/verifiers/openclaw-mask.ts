/**
 * How `openclaw models status` masks a key (openclaw.md, checked against the CLI): over 16
 * characters first 8 + "..." + last 8; 7–16: first 2 + "..." + last 2; up to 6: 1 + 1.
 */
export function openclawMask(value: string): string {
  if (value.length > 16) return `${value.slice(0, 8)}...${value.slice(-8)}`;
  if (value.length > 6) return `${value.slice(0, 2)}...${value.slice(-2)}`;
  return `${value.slice(0, 1)}...${value.slice(-1)}`;
}
