import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { ResolvedConfig } from '../../config/types.js';
import type { Env } from '../../config/env.js';
import { isInstalled } from '../../instrumentations/load-instrumentations.js';
import { INSTRUMENTATION_TABLE } from '../../instrumentations/table.js';
import type { DoctorCheck } from './doctor-check.js';
import { parseNodeCommand } from './parse-node-command.js';

const REGISTER = /(--import|--require|-r)[=\s]+(['"]?)tracewire\/register\2/;

/** The nearest package.json at or above `dir`, parsed; undefined when there is none or it is not JSON. */
function nearestPackage(dir: string): { path: string; json: { type?: string; scripts?: Record<string, string> } } | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const path = join(d, 'package.json');
    if (existsSync(path)) {
      try {
        return { path, json: JSON.parse(readFileSync(path, 'utf8')) as { type?: string; scripts?: Record<string, string> } };
      } catch {
        return undefined;
      }
    }
    if (dirname(d) === d) return undefined;
  }
}

/** A command line as it can be shown: up to the script (the app's own arguments may hold secrets), `…` for the rest. */
function showCommand(command: readonly string[], script: string | undefined): string {
  const end = script === undefined ? command.length : command.lastIndexOf(script) + 1;
  const shown = command.slice(0, end).map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg)));
  return `${shown.join(' ')}${end < command.length ? ' …' : ''}`;
}

/**
 * `tracewire doctor --app app.js` (or `tracewire doctor [--app app.js] -- node … app.js`): is tracewire installed
 * where the app can load it, is the app started with the register hook (NODE_OPTIONS, and the given command line,
 * or else a package.json script that runs the app), with the flag its module system needs, and which libraries with
 * a tracewire instrumentation the app has installed. Reads files only. @internal
 *
 * @example
 * ```ts
 * inspectApp('server.js', config, process.env, process.cwd());
 * inspectApp('server.mjs', config, process.env, process.cwd(), ['node', '--import', 'tracewire/register', 'server.mjs']);
 * ```
 */
export function inspectApp(app: string, config: ResolvedConfig, env: Env, cwd: string, command?: readonly string[]): DoctorCheck[] {
  const file = resolve(cwd, app);
  if (!existsSync(file))
    return [
      { ok: false, title: `--app ${app}: no such file (${file})`, remedy: 'pass the file you start with node, e.g. --app server.js.' },
    ];
  const dir = dirname(file);
  const checks: DoctorCheck[] = [];
  const pkg = nearestPackage(dir);
  const esm = file.endsWith('.mjs') || (!file.endsWith('.cjs') && pkg?.json.type === 'module');
  const flag = esm ? '--import' : '--require';

  try {
    createRequire(join(dir, 'noop.js')).resolve('tracewire/register');
    checks.push({ ok: true, title: `tracewire is installed where ${basename(file)} can load it` });
  } catch {
    checks.push({ ok: false, title: `tracewire cannot be resolved from ${dir}`, remedy: 'run `npm install tracewire` in the app.' });
  }

  // How the app is started: NODE_OPTIONS first, then the command line given after --, or else the package.json
  // scripts that run this file.
  const starts: string[] = [];
  const nodeOptions = env.NODE_OPTIONS ?? '';
  const fromEnv = REGISTER.exec(nodeOptions);
  if (fromEnv) starts.push(`NODE_OPTIONS="${nodeOptions}"`);
  const flags: Array<string | undefined> = [fromEnv?.[1]];
  const shownFile = relative(cwd, file) || basename(file);
  const remedy = `start it with \`node ${flag} tracewire/register ${shownFile}\` (e.g. in the package.json "start" script), or set NODE_OPTIONS="${flag} tracewire/register".`;
  let missing: DoctorCheck;
  if (command !== undefined) {
    const parsed = parseNodeCommand(command);
    const hooks = parsed.preloads.filter((p) => p.value === 'tracewire/register');
    const shown = showCommand(command, parsed.script);
    if (hooks.length > 0) starts.push(`command: ${shown}`);
    flags.push(...hooks.map((h) => h.flag));
    missing = {
      ok: false,
      title: `the command \`${shown}\` does not load tracewire/register${fromEnv ? '' : ', nor does NODE_OPTIONS'}`,
      remedy,
    };
  } else {
    const names = new Set([basename(file), pkg ? relative(dirname(pkg.path), file) : basename(file)]);
    const scripts = Object.entries(pkg?.json.scripts ?? {}).filter(([, script]) => [...names].some((n) => script.includes(n)));
    const hooked = scripts.filter(([, script]) => REGISTER.test(script));
    for (const [name, script] of hooked) starts.push(`package.json script "${name}": ${script}`);
    flags.push(...hooked.map(([, script]) => REGISTER.exec(script)?.[1]));
    const seen = scripts.length > 0 ? ` (scripts running it without the hook: ${scripts.map(([n]) => n).join(', ')})` : '';
    missing = {
      ok: false,
      title: `no start command found that loads tracewire/register for ${basename(file)} in NODE_OPTIONS or the package.json scripts${seen}`,
      // doctor sees only this environment and package.json: a start from elsewhere must be shown to it.
      details: [
        `if you start it from a shell, a Dockerfile or a process manager, pass that command after --: \`tracewire doctor -- node ${flag} tracewire/register ${shownFile}\``,
      ],
      remedy,
    };
  }
  if (starts.length === 0) {
    checks.push(missing);
  } else if (esm && !flags.includes('--import')) {
    checks.push({
      ok: false,
      title: `${basename(file)} is an ES module but is started with --require tracewire/register: its imports are not instrumented`,
      details: starts,
      remedy: `use \`node --import tracewire/register ${basename(file)}\`.`,
    });
  } else checks.push({ ok: true, title: `${basename(file)} is started with the register hook`, details: starts });

  checks.push(...checkLibraries(config, dir));
  return checks;
}

/** Libraries the app has installed that tracewire instruments, and those of them turned off. */
function checkLibraries(config: ResolvedConfig, dir: string): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  const enabled = new Set(config.instrumentations.filter((i): i is Exclude<typeof i, object> => typeof i === 'string'));
  const installed: string[] = [];
  const off: string[] = [];
  for (const row of INSTRUMENTATION_TABLE) {
    if (row.targets === null) continue;
    const found = row.targets.find((t) => isInstalled(t, dir));
    if (found === undefined) continue;
    (enabled.has(row.name) ? installed : off).push(`${found} (${row.packageName})`);
  }
  const builtIns = INSTRUMENTATION_TABLE.filter((r) => r.targets === null && enabled.has(r.name)).map((r) => r.name);
  checks.push({
    ok: true,
    title: `instrumented libraries installed: ${installed.length > 0 ? installed.join(', ') : 'none'}; built-in: ${builtIns.join(', ') || 'none'}`,
  });
  if (off.length > 0) {
    checks.push({
      ok: true,
      title: `installed but not instrumented (turned off by OTEL_NODE_ENABLED/DISABLED_INSTRUMENTATIONS): ${off.join(', ')}`,
    });
  }
  return checks;
}
