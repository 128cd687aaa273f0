import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { TraceView } from './api.js';
import { formatDuration } from './format.js';
import { visibleRows, windowOf } from './visible-rows.js';

type SpanView = TraceView['spans'][number];
const ROW_HEIGHT = 26;
/** Rows drawn beyond the visible ones, above and below: a 1,000-span trace draws a few dozen rows, not 1,000. */
const OVERSCAN = 10;

function Row(props: {
  span: SpanView;
  index: number;
  top: number;
  selected: boolean;
  collapsed: boolean;
  onSelect: (i: number) => void;
  onToggle: (i: number) => void;
}) {
  const { span, index, selected, collapsed } = props;
  // The duration beside the bar: right of it when there is room, else left of it, else inside its end.
  const end = span.offsetPct + span.widthPct;
  const textPlace = end <= 70 ? 'right' : span.offsetPct >= 30 ? 'left' : 'inside';
  const textStyle =
    textPlace === 'right' ? { left: `${end}%` } : textPlace === 'left' ? { right: `${100 - span.offsetPct}%` } : { right: `${100 - end}%` };
  const classes = [
    'span-row',
    span.critical ? 'critical' : '',
    span.bottleneck ? 'bottleneck' : '',
    span.error ? 'error' : '',
    selected ? 'selected' : '',
  ];
  return (
    <div
      class={classes.join(' ')}
      role="treeitem"
      aria-level={span.depth + 1}
      aria-selected={selected}
      aria-expanded={span.childCount > 0 ? !collapsed : undefined}
      tabIndex={selected ? 0 : -1}
      data-index={index}
      style={{ top: `${props.top}px` }}
      onClick={() => props.onSelect(index)}
    >
      <span class="label" style={{ paddingLeft: `${span.depth * 14}px` }}>
        {span.childCount > 0 ? (
          <button
            type="button"
            class="toggle"
            tabIndex={-1}
            aria-label={collapsed ? 'expand' : 'collapse'}
            onClick={(e) => {
              e.stopPropagation();
              props.onToggle(index);
            }}
          >
            {collapsed ? '▸' : '▾'}
          </button>
        ) : (
          <span class="toggle" />
        )}
        {span.error ? <span class="error-mark">⚠ </span> : null}
        <span class="service">{span.service}</span> <span class="name">{span.name}</span>
        {span.skewNs !== 0 ? (
          <span class="skew" title="moved to fit inside its caller (clock skew)">
            {' '}
            ⇄ skew {span.skewNs > 0 ? '+' : '−'}
            {formatDuration(Math.abs(span.skewNs))}
          </span>
        ) : null}
      </span>
      <span class="track">
        <span class="bar" style={{ left: `${span.offsetPct}%`, width: `${span.widthPct}%` }} />
        <span class={`bar-text ${textPlace}`} style={textStyle}>
          {formatDuration(span.durationNs)}
          {span.bottleneck ? ' ◆ bottleneck' : span.critical ? ' • critical path' : ''}
        </span>
      </span>
    </div>
  );
}

/** The waterfall: a tree of span rows (collapsible, keyboard: ↑ ↓ move, ← collapse, → expand), drawn virtualised. */
export function Waterfall({ trace, selected, onSelect }: { trace: TraceView; selected: number; onSelect: (i: number) => void }) {
  const [collapsed, setCollapsed] = useState<ReadonlySet<number>>(new Set());
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const box = useRef<HTMLDivElement>(null);
  const rows = useMemo(() => visibleRows(trace.spans, collapsed), [trace, collapsed]);
  const toggle = (i: number, open?: boolean): void => {
    const next = new Set(collapsed);
    if (open ?? next.has(i)) next.delete(i);
    else next.add(i);
    setCollapsed(next);
  };
  useEffect(() => {
    if (box.current !== null) setHeight(box.current.clientHeight || 600);
  }, []);
  useEffect(() => {
    const position = rows.indexOf(selected);
    const el = box.current;
    if (el === null || position < 0) return;
    const top = position * ROW_HEIGHT;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_HEIGHT - el.clientHeight;
    el.querySelector<HTMLElement>(`[data-index="${selected}"]`)?.focus({ preventScroll: true });
  }, [selected, rows]);
  const onKeyDown = (e: KeyboardEvent): void => {
    const position = rows.indexOf(selected);
    const span = trace.spans[selected];
    if (e.key === 'ArrowDown' && position < rows.length - 1) onSelect(rows[position + 1]!);
    else if (e.key === 'ArrowUp' && position > 0) onSelect(rows[position - 1]!);
    else if (e.key === 'ArrowLeft' && span !== undefined) {
      if (span.childCount > 0 && !collapsed.has(selected)) toggle(selected, false);
      else if (span.parent >= 0) onSelect(span.parent);
    } else if (e.key === 'ArrowRight' && span !== undefined && collapsed.has(selected)) toggle(selected, true);
    else return;
    e.preventDefault();
  };
  const { first, last } = windowOf(rows.length, scrollTop, height, ROW_HEIGHT, OVERSCAN);
  return (
    <div
      class="waterfall"
      role="tree"
      aria-label="Spans"
      ref={box}
      onScroll={(e) => setScrollTop((e.target as HTMLElement).scrollTop)}
      onKeyDown={onKeyDown}
    >
      <div class="rows" style={{ height: `${rows.length * ROW_HEIGHT}px` }}>
        {rows.slice(first, last).map((i, k) => (
          <Row
            key={i}
            span={trace.spans[i]!}
            index={i}
            top={(first + k) * ROW_HEIGHT}
            selected={i === selected}
            collapsed={collapsed.has(i)}
            onSelect={onSelect}
            onToggle={(index) => toggle(index)}
          />
        ))}
      </div>
    </div>
  );
}
