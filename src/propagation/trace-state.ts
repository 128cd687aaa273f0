import type { TraceState } from '@opentelemetry/api';

// W3C Trace Context Level 2, "tracestate Header Field Values":
//   key   = ( lcalpha / DIGIT ) 0*255( keychar ), keychar = lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@"
//   value = 0*255( chr ) nblk-chr, chr = %x20 / nblk-chr, nblk-chr = %x21-2B / %x2D-3C / %x3E-7E
const KEY = /^[a-z0-9][a-z0-9_\-*/@]{0,255}$/;
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
const MAX_KEY_LENGTH = 256;
const MAX_VALUE_LENGTH = 256;
/** "There can be a maximum of 32 list-members in a list." */
const MAX_MEMBERS = 32;
/**
 * What tracewire keeps and forwards: at most 512 characters, the length the spec says vendors SHOULD propagate at
 * least. A longer valid header is truncated by whole entries, as the spec says: entries over 128 characters first,
 * then from the right.
 */
export const MAX_TRACE_STATE_LENGTH = 512;
const LONG_ENTRY = 128;

const SPACE = 0x20;
const TAB = 0x09;

/** Whether a key follows the Level 2 grammar. @internal */
export function isTraceStateKey(key: string): boolean {
  return key.length <= MAX_KEY_LENGTH && KEY.test(key);
}

/** Whether a value follows the Level 2 grammar. @internal */
export function isTraceStateValue(value: string): boolean {
  return value.length <= MAX_VALUE_LENGTH && VALUE.test(value);
}

/**
 * A W3C `tracestate` list, immutable (every change returns a new one), left-most member first. Keys and values
 * follow the Level 2 grammar, keys are unique, at most 32 members and {@link MAX_TRACE_STATE_LENGTH} characters.
 * @internal
 */
export class W3CTraceState implements TraceState {
  private serialized: string | undefined = undefined;

  /** `keys` and `values` are taken over, not copied: the caller must not change them afterwards. */
  constructor(
    private readonly keys: readonly string[],
    private readonly values: readonly string[],
  ) {}

  /**
   * A new state with `key` set to `value` and moved to the left; past 32 members the right-most one is removed, and
   * past 512 characters whole entries are, as for a received header. An invalid key or value leaves it unchanged.
   */
  set(key: string, value: string): W3CTraceState {
    if (typeof key !== 'string' || typeof value !== 'string' || !isTraceStateKey(key) || !isTraceStateValue(value)) return this;
    const keys = [key];
    const values = [value];
    for (let i = 0; i < this.keys.length; i++) {
      if (this.keys[i] === key) continue;
      keys.push(this.keys[i]!);
      values.push(this.values[i]!);
    }
    if (keys.length > MAX_MEMBERS) {
      keys.length = MAX_MEMBERS;
      values.length = MAX_MEMBERS;
    }
    truncate(keys, values, 1);
    return new W3CTraceState(keys, values);
  }

  /** A new state without `key`. */
  unset(key: string): W3CTraceState {
    const i = this.keys.indexOf(key);
    if (i === -1) return this;
    const keys = this.keys.slice();
    const values = this.values.slice();
    keys.splice(i, 1);
    values.splice(i, 1);
    return new W3CTraceState(keys, values);
  }

  get(key: string): string | undefined {
    const i = this.keys.indexOf(key);
    return i === -1 ? undefined : this.values[i];
  }

  /** The header value: `key=value` members joined with `,`, left-most first, without optional whitespace. */
  serialize(): string {
    if (this.serialized === undefined) {
      let out = '';
      for (let i = 0; i < this.keys.length; i++) out += `${i === 0 ? '' : ','}${this.keys[i]}=${this.values[i]}`;
      this.serialized = out;
    }
    return this.serialized;
  }
}

/** The serialized length of the members. */
function lengthOf(keys: readonly string[], values: readonly string[]): number {
  let length = keys.length === 0 ? 0 : keys.length - 1;
  for (let i = 0; i < keys.length; i++) length += keys[i]!.length + 1 + values[i]!.length;
  return length;
}

/**
 * Removes whole entries, in place, until the list fits {@link MAX_TRACE_STATE_LENGTH}: entries over 128 characters
 * first, right-most first, then entries from the right. The first `keep` entries are never removed.
 */
function truncate(keys: string[], values: string[], keep: number): void {
  let length = lengthOf(keys, values);
  for (let i = keys.length - 1; i >= keep && length > MAX_TRACE_STATE_LENGTH; i--) {
    const entry = keys[i]!.length + 1 + values[i]!.length;
    if (entry <= LONG_ENTRY) continue;
    keys.splice(i, 1);
    values.splice(i, 1);
    length -= entry + 1;
  }
  while (keys.length > keep && length > MAX_TRACE_STATE_LENGTH) {
    length -= keys.pop()!.length + 1 + values.pop()!.length + 1;
  }
}

function isOws(code: number): boolean {
  return code === SPACE || code === TAB;
}

/**
 * Parses a `tracestate` header (several fields already combined with `,`) as W3C Trace Context Level 2 says, or
 * returns `null` when it is empty or invalid, which discards it as a whole: a member that is not `key=value` with
 * a valid key and value, or more than 32 members. Optional whitespace around members and empty members are
 * allowed; of duplicate keys the left-most is kept. A valid header over 512 characters is truncated by whole
 * entries (see {@link MAX_TRACE_STATE_LENGTH}). Linear in the header's length; never throws.
 * @internal
 */
export function parseTraceState(header: string): W3CTraceState | null {
  const keys: string[] = [];
  const values: string[] = [];
  let members = 0;
  let start = 0;
  while (start <= header.length) {
    let end = header.indexOf(',', start);
    if (end === -1) end = header.length;
    let from = start;
    let to = end;
    while (from < to && isOws(header.charCodeAt(from))) from++;
    while (to > from && isOws(header.charCodeAt(to - 1))) to--;
    start = end + 1;
    if (from === to) continue;
    if (++members > MAX_MEMBERS) return null;
    const eq = header.indexOf('=', from);
    if (eq === -1 || eq >= to) return null;
    const key = header.slice(from, eq);
    const value = header.slice(eq + 1, to);
    if (!isTraceStateKey(key) || !isTraceStateValue(value)) return null;
    if (keys.indexOf(key) !== -1) continue;
    keys.push(key);
    values.push(value);
  }
  truncate(keys, values, 0);
  return keys.length === 0 ? null : new W3CTraceState(keys, values);
}
