/**
 * systemd's EnvironmentFile= parser, byte for byte: the state machine of `parse_env_file_internal`
 * in systemd's src/basic/env-file.c (v252, the version this machine runs), followed by what
 * `load_env_file_push` and the executor do with each assignment: a key or value that is not valid
 * UTF-8 makes the whole file fail to load; a later assignment of a name replaces an earlier one
 * (value of the last, position of the first); an invalid name (`export X`, `A-B`) is dropped.
 *
 * Works on bytes (a Buffer), so lines rekey does not touch come back exactly, invalid UTF-8
 * included. Every assignment records its byte span, so an edit replaces exactly one construct.
 */
import { ENV_NAME } from '../core/env-name.js';

/** One assignment as systemd's parser pushes it. */
export interface EnvAssignment {
  /** the key as systemd sees it (trailing whitespace stripped), latin1-decoded bytes */
  key: string;
  /** the value's bytes after systemd's unquoting and unescaping */
  value: Buffer;
  /** byte offset of the start of its physical line (leading blanks included) */
  start: number;
  /** byte offset just after the newline that ends it (or the end of the file) */
  end: number;
  /** 1-based physical line of the key */
  line: number;
  /** it spans more than one physical line (a continuation or a quoted newline) */
  multiline: boolean;
}

/** Something systemd versions read differently, or that is not what it looks like. */
export interface EnvFileHazard {
  line: number;
  what: string;
}

export interface ParsedEnvFile {
  assignments: EnvAssignment[];
  hazards: EnvFileHazard[];
}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const NEWLINE = new Set([0x0a, 0x0d]);
const COMMENTS = new Set([0x23, 0x3b]); // # ;
const SHELL_NEED_ESCAPE = new Set([0x22, 0x5c, 0x60, 0x24]); // " \ ` $
const BACKSLASH = 0x5c;

type State = 'PRE_KEY' | 'KEY' | 'PRE_VALUE' | 'VALUE' | 'VALUE_ESCAPE' | 'SQ' | 'DQ' | 'DQ_ESCAPE' | 'COMMENT' | 'COMMENT_ESCAPE';

/** Run systemd's state machine over the bytes; every pushed assignment, in file order. */
export function parseSystemdEnv(bytes: Buffer): ParsedEnvFile {
  const assignments: EnvAssignment[] = [];
  const hazards: EnvFileHazard[] = [];
  let state: State = 'PRE_KEY';
  let key: number[] = [];
  let value: number[] = [];
  let lastKeyWs = -1;
  let lastValueWs = -1;
  let line = 1;
  let keyLine = 1;
  let lineStart = 0;
  let start = 0;
  const push = (end: number, chompValue: boolean) => {
    if (chompValue && lastValueWs >= 0) value = value.slice(0, lastValueWs);
    const k = lastKeyWs >= 0 ? key.slice(0, lastKeyWs) : key;
    assignments.push({ key: Buffer.from(k).toString('latin1'), value: Buffer.from(value), start, end, line: keyLine, multiline: line !== keyLine });
    key = [];
    value = [];
  };
  /** the end of an assignment: after its newline, and after the \n of a \r\n pair */
  const endAfter = (i: number) => (bytes[i] === 0x0d && bytes[i + 1] === 0x0a ? i + 2 : i + 1);

  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    const newline = NEWLINE.has(c);
    switch (state) {
      case 'PRE_KEY':
        if (COMMENTS.has(c)) state = 'COMMENT';
        else if (!WHITESPACE.has(c)) {
          state = 'KEY';
          lastKeyWs = -1;
          key = [c];
          keyLine = line;
          start = lineStart;
        }
        break;
      case 'KEY':
        if (newline) {
          // a line without "=": systemd ignores it
          state = 'PRE_KEY';
          key = [];
        } else if (c === 0x3d) {
          state = 'PRE_VALUE';
          lastValueWs = -1;
          value = [];
        } else {
          if (!WHITESPACE.has(c)) lastKeyWs = -1;
          else if (lastKeyWs < 0) lastKeyWs = key.length;
          key.push(c);
        }
        break;
      case 'PRE_VALUE':
        if (newline) {
          state = 'PRE_KEY';
          push(endAfter(i), false);
        } else if (c === 0x27) state = 'SQ';
        else if (c === 0x22) state = 'DQ';
        else if (c === BACKSLASH) state = 'VALUE_ESCAPE';
        else if (!WHITESPACE.has(c)) {
          state = 'VALUE';
          value.push(c);
        }
        break;
      case 'VALUE':
        if (newline) {
          state = 'PRE_KEY';
          push(endAfter(i), true);
        } else if (c === BACKSLASH) {
          state = 'VALUE_ESCAPE';
          lastValueWs = -1;
        } else {
          if (!WHITESPACE.has(c)) lastValueWs = -1;
          else if (lastValueWs < 0) lastValueWs = value.length;
          value.push(c);
        }
        break;
      case 'VALUE_ESCAPE':
        state = 'VALUE';
        // an escaped newline is eaten entirely (a continuation line)
        if (!newline) value.push(c);
        break;
      case 'SQ':
        if (c === 0x27) state = 'PRE_VALUE';
        else value.push(c);
        break;
      case 'DQ':
        if (c === 0x22) state = 'PRE_VALUE';
        else if (c === BACKSLASH) state = 'DQ_ESCAPE';
        else value.push(c);
        break;
      case 'DQ_ESCAPE':
        state = 'DQ';
        if (SHELL_NEED_ESCAPE.has(c)) value.push(c);
        else if (c !== 0x0a) value.push(BACKSLASH, c);
        break;
      case 'COMMENT':
        if (c === BACKSLASH) state = 'COMMENT_ESCAPE';
        else if (newline) state = 'PRE_KEY';
        break;
      case 'COMMENT_ESCAPE':
        // v252 continues the comment onto the next line; v254 and later end it at the newline
        if (newline) hazards.push({ line, what: 'a comment ending in a backslash (systemd before v254 continues it onto the next line, later versions do not)' });
        state = 'COMMENT';
        break;
    }
    if (c === 0x0a || (c === 0x0d && bytes[i + 1] !== 0x0a)) {
      line++;
      lineStart = i + 1;
    }
  }
  if (state === 'PRE_VALUE' || state === 'VALUE' || state === 'VALUE_ESCAPE' || state === 'SQ' || state === 'DQ' || state === 'DQ_ESCAPE') {
    if (state === 'SQ' || state === 'DQ' || state === 'DQ_ESCAPE') hazards.push({ line: keyLine, what: 'a quote that is never closed' });
    push(bytes.length, state === 'VALUE');
  }
  return { assignments, hazards };
}

const VALID_NAME = ENV_NAME;

/** The environment a unit gets from this file, or why systemd refuses to load it. */
export type LoadedEnv = { ok: true; vars: Map<string, Buffer> } | { ok: false; line: number; why: string };

export function loadSystemdEnv(parsed: ParsedEnvFile): LoadedEnv {
  const vars = new Map<string, Buffer>();
  for (const a of parsed.assignments) {
    if (!isUtf8(Buffer.from(a.key, 'latin1')) || !isUtf8(a.value)) return { ok: false, line: a.line, why: 'an assignment with invalid UTF-8 (systemd refuses the whole file)' };
    if (!VALID_NAME.test(a.key)) continue;
    vars.set(a.key, a.value);
  }
  return { ok: true, vars };
}

function isUtf8(b: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}
