/** The waterfall's rows: which spans are shown, and which of them are drawn. Pure, so unit-tested without a browser. */

/**
 * Indexes of the rows shown: the spans with no collapsed ancestor. Spans are in depth-first order, so a parent comes
 * before its children and one pass suffices.
 *
 * @example
 * ```ts
 * visibleRows([{ parent: -1 }, { parent: 0 }, { parent: 1 }], new Set([1])); // [0, 1]
 * ```
 */
export function visibleRows(spans: ReadonlyArray<{ readonly parent: number }>, collapsed: ReadonlySet<number>): number[] {
  const hidden = new Array<boolean>(spans.length).fill(false);
  const rows: number[] = [];
  spans.forEach((span, i) => {
    hidden[i] = span.parent >= 0 && (hidden[span.parent]! || collapsed.has(span.parent));
    if (!hidden[i]) rows.push(i);
  });
  return rows;
}

/**
 * The rows drawn (virtualisation): those in view in a box `height` pixels tall scrolled to `scrollTop`, plus `overscan`
 * rows above and below; `last` is exclusive.
 *
 * @example
 * ```ts
 * windowOf(1000, 0, 600, 26, 10); // { first: 0, last: 34 }
 * ```
 */
export function windowOf(
  count: number,
  scrollTop: number,
  height: number,
  rowHeight: number,
  overscan: number,
): { first: number; last: number } {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  return { first, last };
}
