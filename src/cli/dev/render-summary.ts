import type { Painter } from '../terminal/create-painter.js';
import { formatDuration } from './format-duration.js';
import type { RedReport, RedRow } from './red-summary.js';
import { terminalText } from '../terminal/terminal-text.js';

/** Services and operations are clipped to these widths, so one long name cannot widen every row of a table. */
const MAX_SERVICE = 64;
const MAX_OPERATION = 96;

function table(header: readonly string[], rows: readonly string[][], rightAligned: number): string[] {
  // Loops, not Math.max(...column): spreading 100,000 rows into one call overflows the stack.
  const widths = header.map((h) => h.length);
  for (const r of rows) for (let i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i]!, r[i]!.length);
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i >= rightAligned ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

function cells(row: RedRow): string[] {
  const rate = row.requests > 0 ? (100 * row.errors) / row.requests : 0;
  return [
    String(row.requests),
    String(row.errors),
    `${rate.toFixed(1)}%`,
    formatDuration(row.p50),
    formatDuration(row.p95),
    formatDuration(row.p99),
  ];
}

const METRICS = ['requests', 'errors', 'error rate', 'p50', 'p95', 'p99'];

/**
 * The RED summary as text: a per-service table, a per-operation table and the service dependency graph
 * (`caller → callee  N calls`). Services are clipped to 64 characters, operations to 96, and their control
 * characters escaped ({@link terminalText}). Pure. @internal
 *
 * @example
 * ```ts
 * process.stdout.write(renderSummary(red.report(), { paint: createPainter(false) }));
 * ```
 */
export function renderSummary(report: RedReport, options: { readonly paint: Painter }): string {
  const { paint } = options;
  const lines = [
    paint.bold(`Summary: ${report.traces} trace${report.traces === 1 ? '' : 's'}, ${report.spans} span${report.spans === 1 ? '' : 's'}`),
  ];
  if (report.services.length === 0) return `${lines[0]}\n`;
  lines.push('', paint.bold('Services'));
  const service = (name: string): string => terminalText(name, MAX_SERVICE);
  for (const row of table(
    ['service', ...METRICS],
    report.services.map((r) => [service(r.service), ...cells(r)]),
    1,
  ))
    lines.push(row);
  lines.push('', paint.bold('Operations'));
  const operations = report.operations.map((r) => [service(r.service), terminalText(r.operation, MAX_OPERATION), ...cells(r)]);
  for (const row of table(['service', 'operation', ...METRICS], operations, 2)) lines.push(row);
  lines.push('', paint.bold('Dependencies'));
  if (report.dependencies.length === 0) lines.push('(no calls between services)');
  const callers = report.dependencies.map((d) => service(d.caller));
  const callees = report.dependencies.map((d) => service(d.callee));
  let callerWidth = 0;
  let calleeWidth = 0;
  for (let i = 0; i < callers.length; i++) {
    callerWidth = Math.max(callerWidth, callers[i]!.length);
    calleeWidth = Math.max(calleeWidth, callees[i]!.length);
  }
  report.dependencies.forEach((d, i) => {
    lines.push(`${callers[i]!.padEnd(callerWidth)} → ${callees[i]!.padEnd(calleeWidth)}  ${d.calls} call${d.calls === 1 ? '' : 's'}`);
  });
  return `${lines.join('\n')}\n`;
}
