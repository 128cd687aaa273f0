import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { ResolvedConfig } from '../config/types.js';
import type { Env } from '../config/env.js';
import { isInstalled } from '../instrumentations/load-instrumentations.js';
import { INSTRUMENTATION_TABLE } from '../instrumentations/table.js';
import type { DoctorCheck } from './doctor-check.js';

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

/**
 * `tracewire doctor --app app.js`: is tracewire installed where the app can load it, is the app started with the
 * register hook (NODE_OPTIONS, or a package.json script that runs the app), with the flag its module system needs,
 * and which libraries with a tracewire instrumentation the app has installed. Reads files only. @internal
 *
 * @example
 * ```ts
 * inspectApp('server.js', config, process.env, process.cwd());
 * ```
 */
export function inspectApp(app: string, config: ResolvedConfig, env: Env, cwd: string): DoctorCheck[] {
  const file = resolve(cwd, app);
  if (!existsSync(file)) return [{ ok: false, title: `--app ${app}: no such file (${file})`, remedy: 'pass the file you start with node, e.g. --app server.js.' }];
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

  // How the app is started: NODE_OPTIONS first, then the package.json scripts that run this file.
  const starts: string[] = [];
  const nodeOptions = env.NODE_OPTIONS ?? '';
  const fromEnv = REGISTER.exec(nodeOptions);
  if (fromEnv) starts.push(`NODE_OPTIONS="${nodeOptions}"`);
  const names = new Set([basename(file), pkg ? relative(dirname(pkg.path), file) : basename(file)]);
  const scripts = Object.entries(pkg?.json.scripts ?? {}).filter(([, command]) => [...names].some((n) => command.includes(n)));
  const hooked = scripts.filter(([, command]) => REGISTER.test(command));
  for (const [name, command] of hooked) starts.push(`package.json script "${name}": ${command}`);
  const flags = [fromEnv?.[1], ...hooked.map(([, command]) => REGISTER.exec(command)?.[1])];
  if (starts.length === 0) {
    const seen = scripts.length > 0 ? ` (scripts running it without the hook: ${scripts.map(([n]) => n).join(', ')})` : '';
    checks.push({
      ok: false,
      title: `no start command found that loads tracewire/register for ${basename(file)}${seen}`,
      remedy: `start it with \`node ${flag} tracewire/register ${relative(cwd, file) || basename(file)}\` (e.g. in the package.json "start" script), or set NODE_OPTIONS="${flag} tracewire/register".`,
    });
  } else if (esm && !flags.includes('--import')) {
    checks.push({
      ok: false,
      title: `${basename(file)} is an ES module but is started with --require tracewire/register: its imports are not instrumented`,
      details: starts,
      remedy: `use \`node --import tracewire/register ${basename(file)}\`.`,
    });
  } else checks.push({ ok: true, title: `${basename(file)} is started with the register hook`, details: starts });

  // Libraries the app has that tracewire instruments.
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
