// A protobuf writer built for one job: encoding spans fast. It writes straight into one growable Buffer that is
// reused across batches; length prefixes are reserved with a guessed size and fixed in place (one copyWithin)
// when the guess was wrong, so every message is written in a single pass and every varint is minimal, exactly
// as protobuf encoders (and the stock OTLP serializer) write them.

/**
 * Copies the `n` characters of `str` to `buf`/`view` at `p` if they are all ASCII, four per store; returns false
 * (having written some bytes, which the caller overwrites) at the first non-ASCII character. @internal
 */
export function writeAscii(buf: Buffer, view: DataView, str: string, n: number, p: number): boolean {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const c0 = str.charCodeAt(i);
    const c1 = str.charCodeAt(i + 1);
    const c2 = str.charCodeAt(i + 2);
    const c3 = str.charCodeAt(i + 3);
    if ((c0 | c1 | c2 | c3) >= 0x80) return false;
    view.setUint32(p + i, c0 | (c1 << 8) | (c2 << 16) | (c3 << 24), true);
  }
  for (; i < n; i++) {
    const c = str.charCodeAt(i);
    if (c >= 0x80) return false;
    buf[p + i] = c;
  }
  return true;
}

/** Bytes a varint of the unsigned 32-bit value `v` takes. @internal */
export function varintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

// Two hex digits (their char codes, 7 bits each) -> the byte they spell, for ids. "0-9a-fA-F"; anything else
// counts as 0 (ids from the SDK are always valid lower-case hex). 16 KiB, one lookup per byte.
const HEX_PAIR = new Uint8Array(128 * 128);
{
  const nibble = new Uint8Array(128);
  for (let i = 0; i < 10; i++) nibble[48 + i] = i;
  for (let i = 0; i < 6; i++) {
    nibble[97 + i] = 10 + i;
    nibble[65 + i] = 10 + i;
  }
  for (let hi = 0; hi < 128; hi++) for (let lo = 0; lo < 128; lo++) HEX_PAIR[(hi << 7) | lo] = (nibble[hi]! << 4) | nibble[lo]!;
}

/**
 * Strings up to this many UTF-16 units are copied by {@link writeAscii} (four characters per store) while ASCII:
 * up to here that beats the fixed cost of a call into V8's UTF-8 encoder (measured on node 20). Must stay <= 42
 * (126 bytes, so the length prefix is one byte whatever the characters). @internal
 */
export const SHORT_STRING = 42;

// Buffer#utf8Write is Buffer#write(string, offset, 'utf8') without the argument juggling; every Node version
// has it, the fallback is for safety.
type Utf8Writer = (this: Buffer, str: string, offset: number) => number;
/** `Buffer#utf8Write`: call as `utf8Write.call(buf, str, offset)`; returns the bytes written. @internal */
export const utf8Write: Utf8Writer =
  (Buffer.prototype as unknown as { utf8Write?: Utf8Writer }).utf8Write ??
  function write(this: Buffer, str: string, offset: number) {
    return this.write(str, offset);
  };

const NANOS_PER_SECOND = 1_000_000_000;
const TWO_POW_32 = 0x100000000;

/**
 * A single-pass protobuf writer over a reused, growable Buffer (grows by doubling).
 * Callers write a tag, then the value; for a nested message they call {@link ProtoWriter.reserve} and
 * {@link ProtoWriter.finish}. Not re-entrant; one instance serves one synchronous encode at a time.
 * @internal
 */
export class ProtoWriter {
  /** The current buffer; replaced when it grows. */
  buf: Buffer;
  /** A DataView of {@link buf}, for multi-byte little-endian stores (fixed32/64, doubles, cached words). */
  view: DataView;
  /** Write position. */
  pos = 0;
  private readonly initialSize: number;
  // The last seconds converted by hrTime and their nanoseconds as [low32, high32]: the spans of a batch mostly
  // share their second, so the 64-bit multiplication is done once per second, not twice per span.
  private lastSeconds = Number.NaN;
  private secondsLow = 0;
  private secondsHigh = 0;

  constructor(initialSize = 64 * 1024) {
    this.initialSize = initialSize;
    this.buf = Buffer.allocUnsafe(initialSize);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  }

  private use(buf: Buffer): void {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.length);
  }

  /** Starts a new message at position 0. Drops a buffer that grew past `maxRetained` bytes. */
  reset(maxRetained: number): void {
    this.pos = 0;
    if (this.buf.length > maxRetained) this.use(Buffer.allocUnsafe(this.initialSize));
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.use(next);
  }

  /** A copy of the bytes written so far, safe to keep while the writer is reused. */
  copyOut(): Uint8Array {
    const out = Buffer.allocUnsafeSlow(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    return out;
  }

  /** Writes one byte (a tag below 128 or a small value). */
  byte(b: number): void {
    if (this.pos >= this.buf.length) this.grow(1);
    this.buf[this.pos++] = b;
  }

  /** Writes a tag of field number >= 16 or any unsigned 32-bit value as a varint. */
  varint32(value: number): void {
    this.ensure(5);
    const buf = this.buf;
    let p = this.pos;
    let v = value >>> 0;
    while (v > 0x7f) {
      buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[p++] = v;
    this.pos = p;
  }

  /**
   * Writes any JS number as a varint the way the stock OTLP serializer does: values in uint32 range directly,
   * other integers as 64-bit two's complement (negative numbers take 10 bytes), non-numbers as 0.
   */
  varint(value: number): void {
    if (value >= 0 && value <= 0xffffffff) {
      this.varint32(value);
      return;
    }
    let low: number;
    let high: number;
    if (value >= 0) {
      low = value >>> 0;
      high = (value / 0x100000000) >>> 0;
    } else {
      const abs = Math.abs(value);
      low = ~(abs >>> 0) >>> 0;
      high = ~((abs / 0x100000000) >>> 0) >>> 0;
      low = (low + 1) >>> 0;
      if (low === 0) high = (high + 1) >>> 0;
    }
    this.ensure(10);
    const buf = this.buf;
    let p = this.pos;
    while (high > 0 || low > 0x7f) {
      buf[p++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buf[p++] = low & 0x7f;
    this.pos = p;
  }

  /** Writes a fixed32, little-endian. */
  fixed32(value: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, value >>> 0, true);
    this.pos += 4;
  }

  /**
   * Writes an HrTime `[seconds, nanoseconds]` as fixed64 nanoseconds without BigInt, with the stock serializer's
   * arithmetic (seconds split in 16-bit halves so every product stays an exact double).
   */
  hrTime(hrTime: readonly [number, number] | undefined): void {
    let seconds = 0;
    let nanos = 0;
    if (hrTime !== undefined && hrTime !== null) {
      seconds = hrTime[0];
      nanos = hrTime[1];
    }
    if (seconds !== this.lastSeconds) this.convertSeconds(seconds);
    const lowWithCarry = this.secondsLow + nanos;
    const low = lowWithCarry >>> 0;
    const high = (this.secondsHigh + Math.floor(lowWithCarry / TWO_POW_32)) >>> 0;
    this.ensure(8);
    const view = this.view;
    const p = this.pos;
    view.setUint32(p, low, true);
    view.setUint32(p + 4, high, true);
    this.pos = p + 8;
  }

  private convertSeconds(seconds: number): void {
    const lowSecs = (seconds & 0xffff) * NANOS_PER_SECOND; // exact: < 2^53
    const highSecs = ((seconds / 0x10000) >>> 0) * NANOS_PER_SECOND; // exact, counts 2^16 seconds
    const lowWithCarry = (lowSecs >>> 0) + (((highSecs & 0xffff) * 0x10000) >>> 0);
    this.secondsLow = lowWithCarry >>> 0;
    this.secondsHigh = Math.floor(lowSecs / TWO_POW_32) + ((highSecs / 0x10000) >>> 0) + Math.floor(lowWithCarry / TWO_POW_32);
    this.lastSeconds = seconds;
  }

  /** Writes a double, little-endian. */
  double(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  /** Writes a length-prefixed byte string. */
  bytes(value: Uint8Array): void {
    const n = value.length;
    this.varint32(n);
    this.ensure(n);
    this.buf.set(value, this.pos);
    this.pos += n;
  }

  /**
   * Writes a hex id ("4bf92f3577b34da6a3ce929d0e0e4736") as a length-prefixed byte string of length/2 bytes,
   * straight from the characters (no intermediate Buffer).
   */
  hexId(hex: string): void {
    const n = hex.length >>> 1;
    this.ensure(n + 5);
    const buf = this.buf;
    let p = this.pos;
    if (n < 0x80) buf[p++] = n;
    else {
      this.varint32(n);
      p = this.pos;
    }
    let i = 0;
    if (n === 16 || n === 8) {
      // Trace and span ids: four bytes per store.
      const view = this.view;
      for (; i < 2 * n; i += 8) {
        const word =
          HEX_PAIR[((hex.charCodeAt(i) & 0x7f) << 7) | (hex.charCodeAt(i + 1) & 0x7f)]! |
          (HEX_PAIR[((hex.charCodeAt(i + 2) & 0x7f) << 7) | (hex.charCodeAt(i + 3) & 0x7f)]! << 8) |
          (HEX_PAIR[((hex.charCodeAt(i + 4) & 0x7f) << 7) | (hex.charCodeAt(i + 5) & 0x7f)]! << 16) |
          (HEX_PAIR[((hex.charCodeAt(i + 6) & 0x7f) << 7) | (hex.charCodeAt(i + 7) & 0x7f)]! << 24);
        view.setUint32(p, word >>> 0, true);
        p += 4;
      }
    }
    for (; i < 2 * n; i += 2) buf[p++] = HEX_PAIR[((hex.charCodeAt(i) & 0x7f) << 7) | (hex.charCodeAt(i + 1) & 0x7f)]!;
    this.pos = p;
  }

  /**
   * Writes a length-prefixed UTF-8 string. Short strings are copied by a JS loop while they are ASCII;
   * anything else goes through Buffer#write (V8's UTF-8 encoder; lone surrogates become U+FFFD like TextEncoder).
   */
  string(str: string): void {
    const n = str.length;
    if (n <= SHORT_STRING) {
      this.ensure(3 * n + 1);
      const buf = this.buf;
      const start = this.pos;
      if (writeAscii(buf, this.view, str, n, start + 1)) {
        buf[start] = n;
        this.pos = start + 1 + n;
        return;
      }
      // Non-ASCII: at most 3 bytes per UTF-16 unit, so the length still fits in one byte.
      const written = utf8Write.call(buf, str, start + 1);
      buf[start] = written;
      this.pos = start + 1 + written;
      return;
    }
    // UTF-8 takes at least one byte per UTF-16 unit: reserve the prefix for n bytes, widen it if it was more.
    const reserved = varintSize(n);
    this.ensure(3 * n + 5);
    const start = this.pos;
    const written = utf8Write.call(this.buf, str, start + reserved);
    this.pos = start + reserved + written;
    this.lengthAt(start, reserved, written);
  }

  /** Reserves `guess` bytes for the length of a nested message; returns where the prefix starts. */
  reserve(guess: number): number {
    this.ensure(guess);
    const start = this.pos;
    this.pos = start + guess;
    return start;
  }

  /**
   * Writes the length of the message that began after a prefix reserved at `start` with `reserved` bytes,
   * moving the message when its length needs another number of bytes. Returns the bytes the prefix took.
   */
  finish(start: number, reserved: number): number {
    return this.lengthAt(start, reserved, this.pos - start - reserved);
  }

  private lengthAt(start: number, reserved: number, length: number): number {
    const need = varintSize(length);
    if (need !== reserved) {
      if (need > reserved) this.ensure(need - reserved);
      this.buf.copyWithin(start + need, start + reserved, this.pos);
      this.pos += need - reserved;
    }
    const buf = this.buf;
    let p = start;
    let v = length;
    while (v > 0x7f) {
      buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[p] = v;
    return need;
  }
}
