import type { TraceNode, TraceTree } from './build-trace-tree.js';
import type { Painter } from './create-painter.js';
import { STATUS_CODE, type DevSpan } from './dev-span.js';
import type { CriticalPath } from './find-critical-path.js';
import { formatDuration } from './format-duration.js';

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
const SKEW_NOTE_NS = 2_000_000;
const NEWLINES = /\s*[\r\n]+\s*/g;

const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/**
 * What an error span says went wrong: the recorded exception (type and message), else the status message,
 * else the HTTP status code. Undefined when the span's status is not ERROR. @internal
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
  return clip((message ?? 'error').replace(NEWLINES, ' '), 160);
}

/** "│ " / "  " for each ancestor level, then "├ " or "└ " for the node itself. */
function treePrefix(node: TraceNode): string {
  if (node.parent === undefined) return '';
  let prefix = node.parent.children[node.parent.children.length - 1] === node ? '└ ' : '├ ';
  for (let a = node.parent; a.parent !== undefined; a = a.parent) {
    prefix = (a.parent.children[a.parent.children.length - 1] === a ? '  ' : '│ ') + prefix;
  }
  return prefix;
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
 * Pure; colour only through `paint`. @internal
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
  const labels = tree.nodes.map((n) => treePrefix(n) + clip(n.span.service, MAX_SERVICE));
  const operations = tree.nodes.map((n) => clip(n.span.name.replace(NEWLINES, ' '), MAX_OPERATION));
  const durations = tree.nodes.map((n) => formatDuration(n.end - n.start));
  const labelWidth = Math.max(...labels.map((l) => l.length), 0);
  const operationWidth = Math.max(...operations.map((o) => o.length), 0);
  const durationWidth = Math.max(...durations.map((d) => d.length), 0);

  const root = tree.roots[0];
  const errors = tree.nodes.filter((n) => n.span.statusCode === STATUS_CODE.ERROR).length;
  const facts = [
    `${tree.services.length} service${tree.services.length === 1 ? '' : 's'}`,
    `${tree.nodes.length} span${tree.nodes.length === 1 ? '' : 's'}`,
  ];
  if (errors > 0) facts.push(paint.red(`${errors} error${errors === 1 ? '' : 's'}`));
  const title = root === undefined ? '' : root.parentMissing ? '(root span not received)' : `${root.span.service} ${root.span.name}`;
  const lines = [
    paint.bold(`Trace ${tree.traceId}  ${title}  ${formatDuration(tree.duration)}`) + `  (${facts.join(', ')})${options.note ? `  [${options.note}]` : ''}`,
  ];

  tree.nodes.forEach((node, i) => {
    const onPath = path.nodes.has(node);
    const marks: string[] = [];
    if (node === path.bottleneck) marks.push(paint.magenta(paint.bold(`◀ bottleneck (${formatDuration(path.selfTime.get(node) ?? 0)} self)`)));
    const error = errorMessage(node.span);
    if (error !== undefined) marks.push(paint.red(`✖ ${error}`));
    if (node.parentMissing) marks.push(paint.dim(`(parent ${node.span.parentSpanId.slice(0, 8)}… not received)`));
    // Clocks of processes on one machine differ by about a millisecond; only larger corrections are worth a note.
    if (Math.abs(node.skew) >= SKEW_NOTE_NS) marks.push(paint.dim(`(clock skew: moved ${formatDuration(Math.abs(node.skew))} ${node.skew > 0 ? 'later' : 'earlier'})`));
    const line =
      paint.cyan(labels[i]!.padEnd(labelWidth)) + '  ' +
      operations[i]!.padEnd(operationWidth) + '  ' +
      durations[i]!.padStart(durationWidth) + '  ' +
      (onPath ? paint.yellow(bar(node, tree.duration, width, ON_PATH)) : paint.dim(bar(node, tree.duration, width, OFF_PATH))) +
      (marks.length > 0 ? `  ${marks.join('  ')}` : '');
    lines.push(line.trimEnd());
  });

  const bottleneck = path.bottleneck;
  if (bottleneck !== undefined) {
    lines.push(
      paint.dim(
        `${ON_PATH} critical path (${path.nodes.size} span${path.nodes.size === 1 ? '' : 's'})  ${OFF_PATH} off the path  ` +
          `bottleneck: ${bottleneck.span.service} ${clip(bottleneck.span.name, MAX_OPERATION)}, ` +
          `${formatDuration(path.selfTime.get(bottleneck) ?? 0)} of ${formatDuration(tree.duration)} spent in its own work`,
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}
