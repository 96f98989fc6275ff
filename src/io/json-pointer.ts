/** RFC 6901 JSON pointers: the ids of OpenClaw file SecretRefs (`/providers/anthropic/apiKey`). */
import { UsageError } from '../core/errors.js';

export function pointerSegments(pointer: string): string[] {
  if (!pointer.startsWith('/')) throw new UsageError('BAD_POINTER', `"${pointer}" is not an absolute JSON pointer`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

export function getPointer(doc: unknown, pointer: string): unknown {
  let cur: unknown = doc;
  for (const seg of pointerSegments(pointer)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

/** a copy of `doc` with `value` at `pointer`, creating objects on the way */
export function setPointer(doc: Record<string, unknown>, pointer: string, value: unknown): Record<string, unknown> {
  const root = structuredClone(doc);
  const segs = pointerSegments(pointer);
  let cur: Record<string, unknown> = root;
  segs.forEach((seg, i) => {
    if (i === segs.length - 1) cur[seg] = value;
    else {
      const next = cur[seg];
      if (next === null || typeof next !== 'object' || Array.isArray(next)) cur[seg] = {};
      cur = cur[seg] as Record<string, unknown>;
    }
  });
  return root;
}
