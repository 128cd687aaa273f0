// Text that came from outside (span names, services, exception messages, request URLs) on its way to a terminal.
// A terminal obeys what it is sent: ESC and the C1 controls start sequences that clear the screen, set the window
// title or draw links, CR and LF start fake lines, bidi controls reorder what is shown. None of them reaches it here.

/** Anything the slow path has to look at: C0, DEL, C1, bidi and line/paragraph separators, surrogates. */
const NEEDS_CARE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]/;
const ELLIPSIS = '…';
const HEX = '0123456789abcdef';

/** What JavaScript's `\s` matches, by code unit. */
function isSpace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/** The visible form of a code unit a terminal must not receive, or undefined when it is printable as it is. */
function escapeOf(code: number): string | undefined {
  if (code === 0x09) return '\\t';
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return `\\x${HEX[code >> 4]}${HEX[code & 15]}`;
  if (code === 0x061c || code === 0x200e || code === 0x200f || (code >= 0x2028 && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)) {
    return `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return undefined;
}

/**
 * Text from spans or requests made safe for one line of a terminal, at most `max` characters (UTF-16 units) long:
 * a run of whitespace holding a line break becomes one space (as multi-line messages always were shown); every
 * other control character (C0 such as ESC, BEL or TAB, DEL, C1 such as 0x9b, bidi controls, U+2028/U+2029, lone
 * surrogates) is shown escaped, `\x1b`, `\x9b`, `\t`, `\u202e`, so it is visible and inert. Text longer than `max` is
 * clipped with `…` after the escaping, and never inside an escape or a surrogate pair. Linear in the part of `text`
 * it reads, which stops soon after `max` characters of output. Pure. @internal
 *
 * @example
 * ```ts
 * terminalText('GET /x\u001b[2J\r\nbank POST /transfer', 40); // 'GET /x\\x1b[2J bank POST /transfer'
 * terminalText('x'.repeat(50), 10); // 'xxxxxxxxx…'
 * ```
 */
export function terminalText(text: string, max: number): string {
  const limit = Math.max(1, Math.floor(max));
  if (text.length <= limit && !NEEDS_CARE.test(text)) return text;
  let out = '';
  // Length of `out` at the last token boundary that leaves room for the ellipsis.
  let fits = 0;
  // Whitespace before this index belongs to a run already known to hold no line break.
  let plainUntil = 0;
  for (let i = 0; i < text.length;) {
    const code = text.charCodeAt(i);
    let token: string;
    let next = i + 1;
    if (i >= plainUntil && isSpace(code)) {
      let breaks = code === 0x0a || code === 0x0d;
      while (next < text.length && isSpace(text.charCodeAt(next))) {
        const c = text.charCodeAt(next++);
        if (c === 0x0a || c === 0x0d) breaks = true;
      }
      if (breaks) token = ' ';
      else {
        // No line break in this run: its characters stand for themselves, TAB and the like escaped.
        plainUntil = next;
        next = i + 1;
        token = escapeOf(code) ?? text[i]!;
      }
    } else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      token = text.slice(i, i + 2);
      next = i + 2;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      token = `\\u${code.toString(16)}`;
    } else {
      token = escapeOf(code) ?? text[i]!;
    }
    if (out.length + token.length > limit) return `${out.slice(0, fits)}${ELLIPSIS}`;
    out += token;
    if (out.length <= limit - 1) fits = out.length;
    i = next;
  }
  return out;
}
