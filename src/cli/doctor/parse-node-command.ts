/** Node.js options that take their value as the next argument when it is not given with `=` (`node --help`). */
const TAKES_VALUE: ReadonlySet<string> = new Set([
  '--import',
  '--require',
  '-r',
  '--loader',
  '--experimental-loader',
  '--env-file',
  '--env-file-if-exists',
  '--conditions',
  '-C',
  '--input-type',
  '--inspect-port',
  '--debug-port',
  '--title',
  '--redirect-warnings',
  '--report-dir',
  '--report-directory',
  '--report-filename',
  '--report-signal',
  '--secure-heap',
  '--secure-heap-min',
  '--watch-path',
  '--disable-warning',
  '--heapsnapshot-signal',
  '--icu-data-dir',
  '--openssl-config',
  '--tls-cipher-list',
  '--tls-keylog',
  '--unhandled-rejections',
  '--use-largepages',
  '--diagnostic-dir',
  '--dns-result-order',
  '--cpu-prof-dir',
  '--cpu-prof-name',
  '--heap-prof-dir',
  '--heap-prof-name',
  '--localstorage-file',
  '--max-http-header-size',
  '--stack-size',
  '--experimental-config-file',
  '--watch-kill-signal',
]);
/** Options whose value is code to run instead of a script file. */
const INLINE = new Set(['-e', '--eval', '-p', '--print']);
/** The executable of a command line: `node`, `nodejs`, a path to either, or `node.exe`. */
const NODE = /(^|[/\\])(node|nodejs)(\.exe)?$/i;

/** What `tracewire doctor` needs to know about a `node …` command line. @internal */
export interface NodeCommand {
  /** The script file node runs; undefined for `-e`/`-p`, stdin, or no script. */
  readonly script: string | undefined;
  /** `--import`/`--require` (`-r` included) options, in order, with their values. */
  readonly preloads: ReadonlyArray<{ readonly flag: '--import' | '--require'; readonly value: string }>;
}

/**
 * Reads a `node [options] script [args]` command line, as given to `tracewire doctor -- …` (the executable may be left
 * out): the script and the modules preloaded with `--import`, `--require` or `-r`, whether their value follows
 * with `=` or as the next argument. Options not known to take a value are read as switches. Pure. @internal
 *
 * @example
 * ```ts
 * parseNodeCommand(['node', '--import', 'tracewire/register', 'app.mjs', '--port', '3000']);
 * // { script: 'app.mjs', preloads: [{ flag: '--import', value: 'tracewire/register' }] }
 * ```
 */
export function parseNodeCommand(argv: readonly string[]): NodeCommand {
  const preloads: Array<{ flag: '--import' | '--require'; value: string }> = [];
  let i = argv.length > 0 && NODE.test(argv[0]!) ? 1 : 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return { script: argv[i + 1], preloads };
    if (arg === '-' || !arg.startsWith('-')) return { script: arg === '-' ? undefined : arg, preloads };
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (INLINE.has(name)) return { script: undefined, preloads };
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else if (TAKES_VALUE.has(name)) value = argv[++i];
    if (value !== undefined && (name === '--import' || name === '--require' || name === '-r')) {
      preloads.push({ flag: name === '--import' ? '--import' : '--require', value });
    }
  }
  return { script: undefined, preloads };
}
