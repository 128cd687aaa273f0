// The `tracewire` command. Each subcommand is imported only when it runs, so `tracewire doctor` never loads the
// receiver and neither loads anything until asked. Nothing here is reachable from `tracewire` or `tracewire/register`.
import { VERSION } from '../internal/version.js';

const USAGE = `Usage: tracewire <command> [options]

Commands:
  dev       local OTLP/HTTP receiver that prints traces as trees, with critical path, bottleneck and RED summary,
            and shows them in a browser page on the same port
  doctor    check the tracing setup exactly as your app would resolve it (endpoint, protocol, sampler, hook)

Run \`tracewire <command> --help\` for the options of a command.
`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  // A reader that goes away (`tracewire dev | head`) must not crash the receiver.
  process.stdout.on('error', () => undefined);
  if (command === 'dev') return (await import('./dev/run-dev.js')).runDev(rest);
  if (command === 'doctor') return (await import('./doctor/run-doctor.js')).runDoctor(rest);
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return 0;
  }
  process.stderr.write(`tracewire: unknown command "${command}"\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`tracewire: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
