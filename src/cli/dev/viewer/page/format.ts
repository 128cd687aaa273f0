/** Formatting helpers of the viewer page: durations, times, percentages. Pure. */

/** Durations as the terminal prints them (the same function). */
export { formatDuration } from '../../format-duration.js';

/** A start time in ms since the epoch, as local time with milliseconds. */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** A ratio as a percentage with one decimal. */
export function formatRate(part: number, whole: number): string {
  return whole === 0 ? '0%' : `${((part / whole) * 100).toFixed(1)}%`;
}

/** An attribute value as text (strings as they are, other values as JSON). */
export function valueText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
