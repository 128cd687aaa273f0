import { parseArgs } from 'node:util';
import { describeConfig } from '../config/describe-config.js';
import { resolveConfig } from '../config/resolve-config.js';
import { checkConfig } from './check-config.js';
import { createPainter, shouldUseColor } from './create-painter.js';
import type { DoctorCheck } from './doctor-check.js';
import { inspectApp } from './inspect-app.js';
import { probeEndpoint } from './probe-endpoint.js';

const USAGE = `Usage: tracewire doctor [--app app.js]

Resolves the tracing configuration from this environment exactly as your app would, prints it (header values
redacted, URL credentials masked), sends a probe span to the endpoint as the app would (same URL, headers, protocol,
compression and TLS files) and checks the usual reasons why no traces appear.
Exit code 0 when everything is fine, 1 otherwise.

Options:
  --app FILE   also check that FILE is started with the register hook, and which instrumented libraries it has
  -h, --help   show this help
`;

/**
 * `tracewire doctor`: every check, printed with ✔/✖ and a remedy for each failure. Resolves with the exit code:
 * 0 when healthy, 1 when a check failed, 2 on bad arguments. @internal
 *
 * @example
 * ```ts
 * process.exitCode = await runDoctor(['--app', 'server.js']);
 * ```
 */
export async function runDoctor(argv: readonly string[]): Promise<number> {
  let values: { app?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: [...argv], strict: true, allowPositionals: false, options: { app: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    process.stderr.write(`tracewire doctor: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  const paint = createPainter(shouldUseColor(process.stdout, process.env));
  const out = (text: string): boolean => process.stdout.write(text);
  const resolution = resolveConfig({}, process.env);
  const { config } = resolution;
  out(`${paint.bold('tracewire doctor')}\n\nConfiguration, resolved from this environment as the app would (header values redacted, URL credentials masked):\n`);
  out(`${describeConfig(config).replace(/^/gm, '  ')}\n`);

  const sections: Array<[string, DoctorCheck[]]> = [['Configuration', checkConfig(resolution)]];
  if (config.exporters.includes('otlp')) sections.push([`Endpoint (from ${config.endpointSource})`, await probeEndpoint(config)]);
  if (values.app !== undefined) sections.push([`App ${values.app}`, inspectApp(values.app, config, process.env, process.cwd())]);

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
