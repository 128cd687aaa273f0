import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeConfig } from '../../config/describe-config.js';
import { resolveConfig } from '../../config/resolve-config.js';
import { checkConfig } from './check-config.js';
import { createPainter, shouldUseColor } from '../terminal/create-painter.js';
import type { DoctorCheck } from './doctor-check.js';
import { inspectApp } from './inspect-app.js';
import { parseNodeCommand } from './parse-node-command.js';
import { probeEndpoint } from './probe-endpoint.js';

const USAGE = `Usage: tracewire doctor [--app app.js] [-- node [node options] app.js [args]]

Resolves the tracing configuration from this environment exactly as your app would, prints it (header values
redacted, URL credentials masked), sends a probe span to the endpoint as the app would (same URL, headers, protocol,
compression and TLS files) and checks the usual reasons why no traces appear.
Exit code 0 when everything is fine, 1 otherwise.

Options:
  --app FILE   also check that FILE is started with the register hook (in NODE_OPTIONS or a package.json script),
               and which instrumented libraries it has
  -- COMMAND   the command line the app is started with (from a shell, a Dockerfile, a process manager): checks
               that it loads the register hook; the app is its script unless --app is given
  -h, --help   show this help
`;

/** The app to inspect: `--app`, else the script of the command after `--`; or why the arguments do not fit. */
function appOf(app: string | undefined, command: readonly string[] | undefined): { app?: string; problem?: string } {
  if (command === undefined) return app === undefined ? {} : { app };
  const { script } = parseNodeCommand(command);
  if (script === undefined)
    return { problem: 'no script file in the command after -- (doctor checks how an app file is started: node [options] app.js)' };
  if (app !== undefined && resolve(app) !== resolve(script)) return { problem: `--app ${app}, but the command after -- runs ${script}` };
  return { app: app ?? script };
}

/**
 * `tracewire doctor`: every check, printed with ✔/✖ and a remedy for each failure. Resolves with the exit code:
 * 0 when healthy, 1 when a check failed, 2 on bad arguments. @internal
 *
 * @example
 * ```ts
 * process.exitCode = await runDoctor(['--app', 'server.js']);
 * process.exitCode = await runDoctor(['--', 'node', '--import', 'tracewire/register', 'server.mjs']);
 * ```
 */
export async function runDoctor(argv: readonly string[]): Promise<number> {
  let values: { app?: string; help?: boolean };
  // Everything after the first `--` is the app's command line, not doctor's arguments.
  const end = argv.indexOf('--');
  const command = end === -1 ? undefined : argv.slice(end + 1);
  try {
    ({ values } = parseArgs({
      args: argv.slice(0, end === -1 ? argv.length : end),
      strict: true,
      allowPositionals: false,
      options: { app: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    process.stderr.write(`tracewire doctor: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  const { app, problem } = appOf(values.app, command);
  if (problem !== undefined) {
    process.stderr.write(`tracewire doctor: ${problem}\n\n${USAGE}`);
    return 2;
  }
  const paint = createPainter(shouldUseColor(process.stdout, process.env));
  const out = (text: string): boolean => process.stdout.write(text);
  const resolution = resolveConfig({}, process.env);
  const { config } = resolution;
  out(
    `${paint.bold('tracewire doctor')}\n\nConfiguration, resolved from this environment as the app would (header values redacted, URL credentials masked):\n`,
  );
  out(`${describeConfig(config).replace(/^/gm, '  ')}\n`);

  const sections: Array<[string, DoctorCheck[]]> = [['Configuration', checkConfig(resolution)]];
  if (config.exporters.includes('otlp')) sections.push([`Endpoint (from ${config.endpointSource})`, await probeEndpoint(config)]);
  if (app !== undefined) sections.push([`App ${app}`, inspectApp(app, config, process.env, process.cwd(), command)]);

  let failed = 0;
  for (const [title, checks] of sections) {
    out(`\n${paint.bold(title)}\n`);
    for (const check of checks) {
      if (!check.ok) failed++;
      out(`  ${check.ok ? paint.cyan('✔') : paint.red('✖')} ${check.title}\n`);
      for (const line of check.details ?? []) out(`      ${line}\n`);
      if (!check.ok && check.remedy !== undefined) out(`      ${paint.yellow('remedy:')} ${check.remedy}\n`);
    }
  }
  out(failed === 0 ? `\n${paint.cyan('No problems found.')}\n` : `\n${paint.red(`${failed} problem${failed === 1 ? '' : 's'} found.`)}\n`);
  return failed === 0 ? 0 : 1;
}
