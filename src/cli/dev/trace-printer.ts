import type { Painter } from '../terminal/create-painter.js';
import { terminalText } from '../terminal/terminal-text.js';
import { buildTraceTree, type TraceTree } from './build-trace-tree.js';
import { findCriticalPath } from './find-critical-path.js';
import { RedSummary } from './red-summary.js';
import { renderSummary } from './render-summary.js';
import { renderTrace } from './render-trace.js';
import type { AssembledTrace } from './trace-assembler.js';

/** Longest message printed about a problem, characters. */
const MAX_PROBLEM = 300;

/** What {@link TracePrinter} prints to. @internal */
export interface TracePrinterOptions {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
  readonly paint: Painter;
  readonly barWidth: number;
  /** Called with each completed trace's tree after it is printed (the viewer's store). */
  readonly onTrace?: (tree: TraceTree, trace: AssembledTrace) => void;
}

/**
 * Prints completed traces as trees (critical path, bottleneck, notes on late spans, a missing root or an early
 * print) and the RED summary of everything printed. A trace that cannot be printed is reported in one line on
 * `err`; the others, and the summary, still are. @internal
 *
 * @example
 * ```ts
 * const printer = new TracePrinter({ out: process.stdout, err: process.stderr, paint: createPainter(false), barWidth: 30 });
 * printer.print(trace);
 * printer.printSummary();
 * ```
 */
export class TracePrinter {
  readonly red = new RedSummary();
  /** True when a trace was printed since the last summary. */
  printedSinceSummary = false;

  constructor(private readonly options: TracePrinterOptions) {}

  /** Prints one trace, or says in one line why it could not. */
  print(trace: AssembledTrace): void {
    try {
      const { out, paint, barWidth } = this.options;
      const tree = buildTraceTree(trace.spans);
      this.red.addTrace(tree);
      out.write(`\n${renderTrace(tree, findCriticalPath(tree), { paint, barWidth, note: traceNotes(trace) })}`);
      this.printedSinceSummary = true;
      this.options.onTrace?.(tree, trace);
    } catch (error) {
      this.problem(`could not print trace ${trace.traceId}`, error);
    }
  }

  /** Prints the RED summary and the service dependencies of every trace printed so far. */
  printSummary(): void {
    try {
      this.options.out.write(`\n${renderSummary(this.red.report(), { paint: this.options.paint })}`);
      this.printedSinceSummary = false;
    } catch (error) {
      this.problem('could not print the summary', error);
    }
  }

  /** Says a problem in one line, its message sanitised and bounded. */
  problem(what: string, error: unknown): void {
    this.options.err.write(`tracewire dev: ${what}: ${terminalText(String((error as Error)?.message ?? error), MAX_PROBLEM)}\n`);
  }
}

/** What is said after a trace's tree: late spans, a missing root, an early print. */
function traceNotes(trace: AssembledTrace): string {
  const notes: string[] = [];
  if (trace.late > 0) notes.push(`updated: ${trace.late} late span${trace.late === 1 ? '' : 's'}`);
  if (trace.rootMissing) notes.push('root span not received');
  if (trace.evicted) notes.push('printed early: too many spans waiting');
  return notes.join('; ');
}
