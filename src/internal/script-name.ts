import { isAbsolute, relative } from 'node:path';

/** The main script as the user typed it (relative to the working directory when under it), for remedies. @internal */
export function scriptName(): string {
  const main = process.argv[1];
  if (main === undefined || main === '') return 'app.mjs';
  const path = relative(process.cwd(), main);
  return path === '' || path.startsWith('..') || isAbsolute(path) ? main : path;
}
