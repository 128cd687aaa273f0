import { spawn } from 'node:child_process';
import { createPainter, shouldUseColor } from '../terminal/create-painter.js';
import { startDevServer } from './dev-server.js';
import { DEV_USAGE, parseDevArgs } from './parse-dev-args.js';
import { terminalText } from '../terminal/terminal-text.js';

const MAX_LINE = 300;

/**
 * `tracewire dev`: parses the arguments, starts the receiver and runs until SIGINT/SIGTERM, then prints the
 * traces still waiting and the summary. Resolves with the exit code. @internal
 *
 * @example
 * ```ts
 * process.exitCode = await runDev(['--port', '4318']);
 * ```
 */
export async function runDev(argv: readonly string[]): Promise<number> {
  const { args, problems } = parseDevArgs(argv);
  if (args.help) {
    process.stdout.write(DEV_USAGE);
    return 0;
  }
  if (problems.length > 0) {
    process.stderr.write(`tracewire dev: ${problems.join('\n  ')}\n\n${DEV_USAGE}`);
    return 2;
  }
  // The receiver must outlive any bug in a handler: report and keep receiving.
  process.on('uncaughtException', (error) =>
    process.stderr.write(`tracewire dev: internal error (still running): ${terminalLines(error?.stack ?? String(error))}\n`),
  );
  let server;
  try {
    server = await startDevServer({
      host: args.host,
      port: args.port,
      portIsExplicit: args.portIsExplicit,
      quietMs: args.quietMs,
      summary: args.summary,
      allowedHosts: args.allowedHosts,
      maxMemoryMiB: args.maxMemoryMiB,
      ui: args.ui,
      maxTraces: args.maxTraces,
      ...(args.jaegerUi !== undefined ? { jaegerUi: args.jaegerUi } : {}),
      ...(args.jsonl !== undefined ? { jsonl: args.jsonl } : {}),
      ...(args.forward !== undefined ? { forward: args.forward } : {}),
      out: process.stdout,
      err: process.stderr,
      paint: createPainter(shouldUseColor(process.stdout, process.env)),
      barWidth: process.stdout.isTTY ? Math.max(12, Math.min(40, (process.stdout.columns ?? 100) - 80)) : 30,
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const hint = e.code === 'EADDRINUSE' ? ` (port ${args.port} is in use: choose another with --port, or stop what listens there)` : '';
    process.stderr.write(`tracewire dev: cannot listen on ${args.host}:${args.port}: ${e.message}${hint}\n`);
    return 1;
  }
  process.stderr.write(
    `tracewire dev: receiving OTLP/HTTP traces (protobuf, JSON, gzip) on ${server.url}/v1/traces\n` +
      `tracewire dev: start your apps with OTEL_EXPORTER_OTLP_ENDPOINT=${server.url} node --import tracewire/register app.js\n` +
      (args.ui ? `tracewire dev: trace viewer at ${server.url}/\n` : '') +
      `tracewire dev: Ctrl-C prints the summary and exits.\n`,
  );
  if (args.ui && args.open) openBrowser(`${server.url}/`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  try {
    await server.close();
  } catch (error) {
    // Ctrl-C must end in a message, not a stack trace: close() already reports what it could not print.
    process.stderr.write(
      `tracewire dev: could not finish cleanly: ${terminalText(String((error as Error)?.message ?? error), MAX_LINE)}\n`,
    );
    return 1;
  }
  return 0;
}

/** Opens `url` in the system browser (`--open`); a failure is said, not thrown. */
function openBrowser(url: string): void {
  const [command, ...rest] =
    process.platform === 'darwin' ? ['open'] : process.platform === 'win32' ? ['cmd', '/c', 'start', '""'] : ['xdg-open'];
  try {
    const child = spawn(command!, [...rest, url], { stdio: 'ignore', detached: true });
    child.on('error', (error) => process.stderr.write(`tracewire dev: could not open a browser (${error.message}); open ${url}\n`));
    child.unref();
  } catch (error) {
    process.stderr.write(`tracewire dev: could not open a browser (${(error as Error).message}); open ${url}\n`);
  }
}

/** A stack trace for the terminal: at most 50 lines, each with its control characters escaped. */
function terminalLines(text: string): string {
  return text
    .split('\n', 50)
    .map((line) => terminalText(line, MAX_LINE))
    .join('\n');
}
