// Issue 20 item 12: the terminal belongs to the developer. Nothing a span says can drive the terminal that
// `tracewire dev` prints to: every control character from span data is shown escaped, on the line it belongs to.
import { describe, expect, it } from 'vitest';
import { buildTraceTree } from '../../../src/cli/dev/build-trace-tree.js';
import { createPainter } from '../../../src/cli/terminal/create-painter.js';
import type { DevSpan } from '../../../src/cli/dev/dev-span.js';
import { findCriticalPath } from '../../../src/cli/dev/find-critical-path.js';
import { RedSummary } from '../../../src/cli/dev/red-summary.js';
import { renderSummary } from '../../../src/cli/dev/render-summary.js';
import { renderTrace } from '../../../src/cli/dev/render-trace.js';
import { span } from './hand-built.js';

/** What was tried against the receiver: clear screen, window title, OSC 8 link, 8-bit CSI, a fake line, bidi. */
const HOSTILE = {
  clear: '\u001b[2J\u001b[3J\u001b[H',
  title: '\u001b]0;you have been pwned\u0007',
  link: '\u001b]8;;https://evil.example/\u001b\\docs\u001b]8;;\u001b\\',
  csi: '\u009b2J\u009b31m',
  fakeLine: '\r\nbank POST /transfer ✔ approved\n',
  bidi: '\u202etxt.exe',
};
const EVERYTHING = Object.values(HOSTILE).join('');
/** Control characters a terminal acts on, except the line feeds that separate our own lines. */
const CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;
/** The SGR colour codes our painter writes, and nothing else starting with ESC. */
const OUR_COLOURS = /\u001b\[\d+m/g;

function hostileTrace(): DevSpan[] {
  const root = span({
    id: 'root',
    service: `shop${HOSTILE.title}`,
    name: `GET /${EVERYTHING}`,
    start: 0,
    end: 100,
    error: 'replaced below',
  });
  const child = span({ id: 'child', parent: 'root', service: `db${HOSTILE.clear}`, name: `SELECT ${HOSTILE.link}`, start: 10, end: 90 });
  const other = span({ id: 'other', parent: 'root', service: 'pay', name: `x${HOSTILE.csi}`, start: 5, end: 8 });
  return [
    {
      ...root,
      events: [{ name: 'exception', attributes: { 'exception.type': `Err${HOSTILE.bidi}`, 'exception.message': `boom${EVERYTHING}` } }],
    },
    child,
    { ...other, statusCode: 2, statusMessage: `declined${HOSTILE.fakeLine}${HOSTILE.clear}` },
  ];
}

function printed(color: boolean): { trace: string; summary: string } {
  const paint = createPainter(color);
  const tree = buildTraceTree(hostileTrace());
  const red = new RedSummary();
  red.addTrace(tree);
  return { trace: renderTrace(tree, findCriticalPath(tree), { paint, barWidth: 20 }), summary: renderSummary(red.report(), { paint }) };
}

describe('the terminal belongs to the developer', () => {
  it('no control character from span names, services, exception types and messages or status messages reaches the terminal', () => {
    for (const color of [false, true]) {
      const { trace, summary } = printed(color);
      for (const text of [trace, summary]) {
        expect(text.replace(OUR_COLOURS, '')).not.toMatch(CONTROLS);
        expect(text.replace(OUR_COLOURS, '')).not.toContain('\u001b');
      }
    }
  });

  it('shows what was sent, escaped, so the developer can see it', () => {
    const { trace, summary } = printed(false);
    expect(trace).toContain('shop\\x1b]0;you have been pwned\\x07');
    expect(trace).toContain('db\\x1b[2J\\x1b[3J\\x1b[H');
    expect(trace).toContain('x\\x9b2J\\x9b31m');
    expect(trace).toContain('✖ Err\\u202etxt.exe: boom\\x1b[2J');
    expect(trace).toContain('SELECT \\x1b]8;;https://evil.exa');
    expect(summary).toContain('shop\\x1b]0;you have been pwned\\x07');
  });

  it('a newline in span data cannot start a fake line: every span stays on its own row', () => {
    const { trace, summary } = printed(false);
    const lines = trace.trimEnd().split('\n');
    expect(lines).toHaveLength(1 + 3 + 1); // header, three spans, critical-path footer
    for (const line of [...lines, ...summary.split('\n')]) expect(line).not.toMatch(/^\s*bank POST/);
    expect(trace).toMatch(/^shop.*✖ Err.* bank POST \/transfer ✔ …$/m);
    expect(trace).toMatch(/^├ pay .*✖ declined bank POST \/transfer ✔ approved \\x1b\[2J/m);
  });

  it('clipping a long hostile name never cuts an escape in half', () => {
    for (let pad = 0; pad < 48; pad++) {
      const spans = [span({ id: 'r', service: 'a', name: `${'n'.repeat(pad)}${HOSTILE.clear}${HOSTILE.csi}`, start: 0, end: 1 })];
      const tree = buildTraceTree(spans);
      const text = renderTrace(tree, findCriticalPath(tree), { paint: createPainter(false) });
      const row = text.split('\n')[1]!;
      // Every backslash escape on the row is whole: \xHH with two hex digits.
      expect(row.replace(/\\x[0-9a-f]{2}/g, ''), `pad ${pad}`).not.toContain('\\');
      expect(row, `pad ${pad}`).not.toMatch(CONTROLS);
    }
  });
});
