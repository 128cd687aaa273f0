import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Where the app's own modules resolve from: the main script's folder, else the working directory. @internal */
export function appRoot(): string {
  const main = process.argv[1];
  if (main !== undefined && main !== '' && existsSync(main)) return dirname(resolve(main));
  return process.cwd();
}
