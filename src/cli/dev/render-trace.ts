import type { TraceNode, TraceTree } from './build-trace-tree.js';
import type { Painter } from '../terminal/create-painter.js';
import { STATUS_CODE, type DevSpan } from './dev-span.js';
import type { CriticalPath } from './find-critical-path.js';
import { formatDuration } from './format-duration.js';
import { terminalText } from '../terminal/terminal-text.js';

/** @internal */
export interface RenderOptions {
  readonly paint: Painter;
  /** Characters of the timeline bar. Default 30. */
  readonly barWidth?: number;
  /** Appended to the header, e.g. "updated: 2 late spans". */
  readonly note?: string;
}

const ON_PATH = '█';
const OFF_PATH = '░';
const MAX_SERVICE = 28;
const MAX_OPERATION = 40;
const MAX_TITLE = 120;
const MAX_MESSAGE = 160;
/** Rows printed per trace; the rest are counted in one line (the critical path and bottleneck still cover them). */
const MAX_ROWS = 1000;
/** Tree levels drawn in front of a span; deeper spans show how many levels are not drawn instead. */
const MAX_LEVELS = 24;
const SKEW_NOTE_NS = 2_000_000;

/**
 * What an error span says went wrong: the recorded exception (type and message), else the status message,
 * else the HTTP status code, on one line, control characters escaped, at most 160 characters. Undefined when the
 * span's status is not ERROR. @internal
 *
 * @example
 * ```ts
 * errorMessage(span); // 'Error: user 13 is locked'
 * ```
 */
export function errorMessage(span: DevSpan): string | undefined {
  if (span.statusCode !== STATUS_CODE.ERROR) return undefined;
  const exception = span.events.find((e) => e.name === 'exception');
  let message: string | undefined;
  if (exception !== undefined) {
    const type = exception.attributes['exception.type'];
    const text = exception.attributes['exception.message'];
    if (typeof text === 'string' && text !== '') message = typeof type === 'string' && type !== '' ? `${type}: ${text}` : text;
  }
  if (message === undefined && span.statusMessage !== '') message = span.statusMessage;
  const http = span.attributes['http.response.status_code'] ?? span.attributes['http.status_code'];
  if (message === undefined && typeof http === 'number') message = `HTTP ${http}`;
  return terminalText(message ?? 'error', MAX_MESSAGE);
}

const isLastChild = (node: TraceNode): boolean => node.parent!.children[node.parent!.children.length - 1] === node;

/**
 * "│ " / "  " for each ancestor level, then "├ " or "└ " for the node itself. Below {@link MAX_LEVELS} levels only
 * the nearest levels are drawn, after "[+N] " for the N levels left out, so a deep chain's rows stay narrow.
 */
function treePrefix(node: TraceNode): string {
  if (node.parent === undefined) return '';
  let prefix = isLastChild(node) ? '└ ' : '├ ';
  let levels = 1;
  let a = node.parent;
  for (; a.parent !== undefined && levels < MAX_LEVELS; a = a.parent, levels++) prefix = (isLastChild(a) ? '  ' : '│ ') + prefix;
  return a.parent === undefined ? prefix : `[+${node.depth - levels}] ${prefix}`;
}

/** The longest of `texts`, in characters (a loop: spreading 100,000 arguments into Math.max overflows the stack). */
function widest(texts: readonly string[]): number {
  let width = 0;
  for (const t of texts) if (t.length > width) width = t.length;
  return width;
}

function bar(node: TraceNode, total: number, width: number, char: string): string {
  const scale = total > 0 ? width / total : 0;
  const offset = Math.min(width - 1, Math.max(0, Math.floor(node.start * scale)));
  const length = Math.max(1, Math.min(width - offset, Math.round((node.end - node.start) * scale)));
  return ' '.repeat(offset) + char.repeat(length) + ' '.repeat(width - offset - length);
}

/**
 * Draws one trace as a tree, one line per span: service, operation, duration and a timeline bar. Spans on the
 * critical path have solid bars (█, others ░), the bottleneck is marked `◀ bottleneck`, error spans show
 * `✖` and their exception message, spans whose parent never arrived and clock-skew corrections are noted.
 * Bounded output: at most 1,000 rows (the rest counted in one line), names clipped, at most 24 tree levels drawn;
 * every text that came from the spans has its control characters escaped ({@link terminalText}). Pure; colour
 * only through `paint`. @internal
 *
 * @example
 * ```ts
 * const tree = buildTraceTree(spans);
 * process.stdout.write(renderTrace(tree, findCriticalPath(tree), { paint: createPainter(false) }));
 * ```
 */
export function renderTrace(tree: TraceTree, path: CriticalPath, options: RenderOptions): string {
  const { paint } = options;
  const width = options.barWidth ?? 30;
  const shown = tree.nodes.length > MAX_ROWS ? tree.nodes.slice(0, MAX_ROWS) : tree.nodes;
  const labels = shown.map((n) => treePrefix(n) + terminalText(n.span.service, MAX_SERVICE));
  const operations = shown.map((n) => terminalText(n.span.name, MAX_OPERATION));
  const durations = shown.map((n) => formatDuration(n.end - n.start));
  const labelWidth = widest(labels);
  const operationWidth = widest(operations);
  const durationWidth = widest(durations);

  const root = tree.roots[0];
  const errors = tree.nodes.filter((n) => n.span.statusCode === STATUS_CODE.ERROR).length;
  const facts = [
    `${tree.services.length} service${tree.services.length === 1 ? '' : 's'}`,
    `${tree.nodes.length} span${tree.nodes.length === 1 ? '' : 's'}`,
  ];
  if (errors > 0) facts.push(paint.red(`${errors} error${errors === 1 ? '' : 's'}`));
  const title =
    root === undefined
      ? ''
      : root.parentMissing
        ? '(root span not received)'
        : `${terminalText(root.span.service, MAX_TITLE)} ${terminalText(root.span.name, MAX_TITLE)}`;
  const note = options.note ? `  [${terminalText(options.note, MAX_TITLE)}]` : '';
  const lines = [
    paint.bold(`Trace ${terminalText(tree.traceId, 32)}  ${title}  ${formatDuration(tree.duration)}`) + `  (${facts.join(', ')})${note}`,
  ];

  shown.forEach((node, i) => {
    const onPath = path.nodes.has(node);
    const marks: string[] = [];
    if (node === path.bottleneck)
      marks.push(paint.magenta(paint.bold(`◀ bottleneck (${formatDuration(path.selfTime.get(node) ?? 0)} self)`)));
    const error = errorMessage(node.span);
    if (error !== undefined) marks.push(paint.red(`✖ ${error}`));
    if (node.parentMissing) marks.push(paint.dim(`(parent ${terminalText(node.span.parentSpanId.slice(0, 8), 8)}… not received)`));
    // Clocks of processes on one machine differ by about a millisecond; only larger corrections are worth a note.
    if (Math.abs(node.skew) >= SKEW_NOTE_NS)
      marks.push(paint.dim(`(clock skew: moved ${formatDuration(Math.abs(node.skew))} ${node.skew > 0 ? 'later' : 'earlier'})`));
    const line =
      paint.cyan(labels[i]!.padEnd(labelWidth)) +
      '  ' +
      operations[i]!.padEnd(operationWidth) +
      '  ' +
      durations[i]!.padStart(durationWidth) +
      '  ' +
      (onPath ? paint.yellow(bar(node, tree.duration, width, ON_PATH)) : paint.dim(bar(node, tree.duration, width, OFF_PATH))) +
      (marks.length > 0 ? `  ${marks.join('  ')}` : '');
    lines.push(line.trimEnd());
  });

  if (shown.length < tree.nodes.length) {
    const hidden = tree.nodes.length - shown.length;
    let hiddenOnPath = 0;
    let hiddenErrors = 0;
    for (let i = shown.length; i < tree.nodes.length; i++) {
      if (path.nodes.has(tree.nodes[i]!)) hiddenOnPath++;
      if (tree.nodes[i]!.span.statusCode === STATUS_CODE.ERROR) hiddenErrors++;
    }
    const counts = [`${hiddenOnPath} on the critical path`];
    if (hiddenErrors > 0) counts.push(`${hiddenErrors} with errors`);
    lines.push(paint.dim(`… ${hidden} more span${hidden === 1 ? '' : 's'} not shown (${counts.join(', ')})`));
  }

  const bottleneck = path.bottleneck;
  if (bottleneck !== undefined) {
    lines.push(
      paint.dim(
        `${ON_PATH} critical path (${path.nodes.size} span${path.nodes.size === 1 ? '' : 's'})  ${OFF_PATH} off the path  ` +
          `bottleneck: ${terminalText(bottleneck.span.service, MAX_TITLE)} ${terminalText(bottleneck.span.name, MAX_OPERATION)}, ` +
          `${formatDuration(path.selfTime.get(bottleneck) ?? 0)} of ${formatDuration(tree.duration)} spent in its own work`,
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}
