/**
 * The XML property-list subset rekey writes and reads: a top-level dict of strings, booleans,
 * string arrays and string dicts (Label, ProgramArguments, EnvironmentVariables, …). A binary
 * plist is refused with the command that converts it (`plutil -convert xml1 FILE`).
 */
export type PlistValue = string | boolean | string[] | Record<string, string>;

const esc = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
const unesc = (s: string) =>
  s
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&apos;', "'")
    .replaceAll('&amp;', '&');

/** what rekey writes: also integers and nested arrays / dicts (launchd's StartCalendarInterval) */
export type PlistOut = string | boolean | number | PlistOut[] | { [k: string]: PlistOut };

export function renderPlist(doc: Record<string, PlistOut>): string {
  const value = (v: PlistOut, ind: string): string => {
    if (typeof v === 'boolean') return `${ind}<${v}/>`;
    if (typeof v === 'number') {
      if (!Number.isInteger(v)) throw new Error('plist numbers rekey writes are integers');
      return `${ind}<integer>${v}</integer>`;
    }
    if (typeof v === 'string') return `${ind}<string>${esc(v)}</string>`;
    if (Array.isArray(v)) return `${ind}<array>\n${v.map((x) => value(x, ind + '\t')).join('\n')}\n${ind}</array>`;
    return `${ind}<dict>\n${Object.entries(v).map(([k, x]) => `${ind}\t<key>${esc(k)}</key>\n${value(x, ind + '\t')}`).join('\n')}\n${ind}</dict>`;
  };
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    value(doc, ''),
    '</plist>',
    '',
  ].join('\n');
}

type Token = { t: 'open' | 'close' | 'empty'; name: string } | { t: 'text'; text: string };

function tokens(xml: string): Token[] {
  const out: Token[] = [];
  const re = /<(\/?)([A-Za-z]+)[^>]*?(\/?)>|([^<]+)|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<![^>]*>/g;
  for (const m of xml.matchAll(re)) {
    if (m[2]) out.push({ t: m[1] ? 'close' : m[3] ? 'empty' : 'open', name: m[2] });
    else if (m[4] !== undefined && m[4].trim() !== '') out.push({ t: 'text', text: unesc(m[4]) });
  }
  return out;
}

export function parsePlist(text: string): Record<string, PlistValue> {
  if (text.startsWith('bplist')) throw new Error('a binary plist: convert it with `plutil -convert xml1 FILE`');
  const ts = tokens(text);
  let i = 0;
  const expect = (t: 'open' | 'close', name: string) => {
    const x = ts[i++];
    if (!x || x.t !== t || x.name !== name) throw new Error(`plist: expected <${t === 'close' ? '/' : ''}${name}>`);
  };
  const str = (tag: string): string => {
    expect('open', tag);
    const x = ts[i];
    let s = '';
    if (x && x.t === 'text') {
      s = x.text;
      i++;
    }
    expect('close', tag);
    return s;
  };
  const value = (): PlistValue => {
    const x = ts[i];
    if (!x || x.t === 'text' || x.t === 'close') throw new Error('plist: expected a value');
    if (x.t === 'empty') {
      i++;
      if (x.name === 'true' || x.name === 'false') return x.name === 'true';
      if (x.name === 'string') return '';
      if (x.name === 'array') return [];
      if (x.name === 'dict') return {};
      throw new Error(`plist: <${x.name}/> is not supported`);
    }
    if (x.name === 'string' || x.name === 'integer' || x.name === 'real') return str(x.name);
    if (x.name === 'array') {
      i++;
      const a: string[] = [];
      while (ts[i] && !(ts[i]!.t === 'close' && (ts[i] as { name: string }).name === 'array')) a.push(String(value()));
      expect('close', 'array');
      return a;
    }
    if (x.name === 'dict') {
      i++;
      const d: Record<string, PlistValue> = {};
      while (ts[i] && !(ts[i]!.t === 'close' && (ts[i] as { name: string }).name === 'dict')) d[str('key')] = value();
      expect('close', 'dict');
      return d as Record<string, string>;
    }
    throw new Error(`plist: <${x.name}> is not supported`);
  };
  expect('open', 'plist');
  const doc = value();
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error('plist: the top level is not a dict');
  return doc;
}
