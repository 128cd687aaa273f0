/** ANSI styles used by the dev receiver's output. @internal */
export interface Painter {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  magenta(text: string): string;
  cyan(text: string): string;
}

const CODES = { bold: [1, 22], dim: [2, 22], red: [31, 39], yellow: [33, 39], magenta: [35, 39], cyan: [36, 39] } as const;
const plain = (text: string): string => text;

/**
 * Colours for terminal output, or identity functions when `color` is false. @internal
 *
 * @example
 * ```ts
 * const paint = createPainter(shouldUseColor(process.stdout, process.env));
 * console.log(paint.red('error'));
 * ```
 */
export function createPainter(color: boolean): Painter {
  if (!color) return { bold: plain, dim: plain, red: plain, yellow: plain, magenta: plain, cyan: plain };
  const style =
    ([open, close]: readonly [number, number]) =>
    (text: string) =>
      `\u001b[${open}m${text}\u001b[${close}m`;
  return {
    bold: style(CODES.bold),
    dim: style(CODES.dim),
    red: style(CODES.red),
    yellow: style(CODES.yellow),
    magenta: style(CODES.magenta),
    cyan: style(CODES.cyan),
  };
}

/**
 * Colour only on a terminal, and never when NO_COLOR is set to a non-empty value (https://no-color.org). @internal
 *
 * @example
 * ```ts
 * shouldUseColor(process.stdout, process.env); // false when piped or NO_COLOR=1
 * ```
 */
export function shouldUseColor(stream: { isTTY?: boolean }, env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}
