import { describe, expect, it } from 'vitest';
import { terminalText } from '../../../src/cli/terminal/terminal-text.js';

/** Every code unit a terminal acts on: C0, DEL, C1 (0x9b is CSI), bidi controls, line/paragraph separators. */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;

describe('terminalText', () => {
  it('leaves ordinary text as it is, non-ASCII and emoji included', () => {
    for (const text of ['GET /api/users/:id', 'SELECT users', 'café ünïcode 日本語', 'deploy 🚀 done', 'C:\\temp\\file', 'a\u00a0b']) {
      expect(terminalText(text, 200)).toBe(text);
    }
  });

  it('shows escape sequences escaped: clear screen, window title, OSC 8 link, 8-bit CSI, BEL, DEL', () => {
    expect(terminalText('\u001b[2J\u001b[H', 100)).toBe('\\x1b[2J\\x1b[H');
    expect(terminalText('\u001b]0;pwned\u0007', 100)).toBe('\\x1b]0;pwned\\x07');
    expect(terminalText('\u001b]8;;https://evil.example\u001b\\click\u001b]8;;\u001b\\', 100)).toBe(
      '\\x1b]8;;https://evil.example\\x1b\\click\\x1b]8;;\\x1b\\',
    );
    expect(terminalText('\u009b31mred', 100)).toBe('\\x9b31mred');
    expect(terminalText('a\u0000b\u007fc\u0085d', 100)).toBe('a\\x00b\\x7fc\\x85d');
  });

  it('shows tabs, bidi controls, line separators and lone surrogates escaped', () => {
    expect(terminalText('a\tb', 100)).toBe('a\\tb');
    expect(terminalText('user \u202eevil\u202c', 100)).toBe('user \\u202eevil\\u202c');
    expect(terminalText('a\u2028b\u2069', 100)).toBe('a\\u2028b\\u2069');
    expect(terminalText('x\ud800y', 100)).toBe('x\\ud800y');
  });

  it('puts a line break, with the whitespace around it, on the same line as one space: no fake line', () => {
    expect(terminalText('GET /x\r\nbank POST /transfer ✔ approved', 100)).toBe('GET /x bank POST /transfer ✔ approved');
    expect(terminalText('Error: a  \n\n\t  b\rc', 100)).toBe('Error: a b c');
    expect(terminalText('   ', 100)).toBe('   ');
  });

  it('clips after escaping, with an ellipsis, to at most max characters, never inside an escape or a surrogate pair', () => {
    expect(terminalText('x'.repeat(50), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(terminalText('x'.repeat(10), 10)).toBe('x'.repeat(10));
    const hostile = '\u001b[2J🚀\u009bab\u202e\tc'.repeat(5);
    const full = terminalText(hostile, 10_000);
    for (let max = 1; max <= full.length + 1; max++) {
      const clipped = terminalText(hostile, max);
      expect(clipped.length).toBeLessThanOrEqual(max);
      if (clipped === full) continue;
      expect(clipped.endsWith('…'), `max ${max}`).toBe(true);
      const kept = clipped.slice(0, -1);
      expect(full.startsWith(kept), `max ${max}`).toBe(true);
      // The cut falls between two tokens of the escaped text: what follows starts a whole token.
      expect(full.slice(kept.length), `max ${max}`).toMatch(/^(\\x1b|\\x9b|\\u202e|\\t|🚀|[\x20-\x7e])/);
      expect(kept).not.toMatch(/\\(x[0-9a-f]?|u[0-9a-f]{0,3})$/);
      expect(kept).not.toMatch(/[\ud800-\udbff]$/);
    }
  });

  it('never lets a control character through, whatever the input', () => {
    let all = '';
    for (let c = 0; c < 0x3000; c++) all += String.fromCharCode(c);
    for (const max of [5, 50, 500, 50_000]) expect(terminalText(all, max)).not.toMatch(CONTROLS);
  });

  it('reads a megabyte of whitespace, or of text, once', () => {
    // Quadratic backtracking over this (the old /\s*[\r\n]+\s*/) takes minutes; a linear scan, milliseconds.
    expect(terminalText(`${' '.repeat(1_000_000)}x`, 20)).toBe(`${' '.repeat(19)}…`);
    expect(terminalText(`${' '.repeat(1_000_000)}\nx`, 20)).toBe(' x');
    expect(terminalText('\u001b'.repeat(1_000_000), 20)).toBe(`${'\\x1b'.repeat(4)}…`);
  });
});
