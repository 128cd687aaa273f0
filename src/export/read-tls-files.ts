import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConfiguredFile, ResolvedConfig } from '../config/types.js';
import { warn } from '../internal/log.js';

/** TLS material for the exporter's https agent. @internal */
export interface TlsAgentOptions {
  keepAlive: true;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

function read(file: ConfiguredFile | undefined, what: string, fallback: string, report: (message: string) => void): Buffer | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(resolve(file.path));
  } catch (error) {
    report(
      `${file.from}=${JSON.stringify(file.path)}: could not read the ${what} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); ${fallback}.`,
    );
    return undefined;
  }
}

/**
 * Reads the CA, client certificate and client key files of `config.tls` for an https endpoint (paths relative to the
 * working directory). Returns `undefined` when none is configured, so the exporter keeps its defaults.
 * An unreadable file is reported once (to `report`, by default the warning log), naming the option or variable, and
 * left out. Never throws. @internal
 */
export function readTlsFiles(config: ResolvedConfig, report: (message: string) => void = warn): TlsAgentOptions | undefined {
  const { certificate, clientCertificate, clientKey } = config.tls;
  if (certificate === undefined && clientCertificate === undefined && clientKey === undefined) return undefined;
  const options: TlsAgentOptions = { keepAlive: true };
  const ca = read(certificate, 'CA certificate file', "Node.js's built-in CAs are trusted instead", report);
  const cert = read(clientCertificate, 'client certificate file', 'no client certificate is sent', report);
  const key = read(clientKey, 'client key file', 'no client certificate is sent', report);
  if (ca !== undefined) options.ca = ca;
  if (cert !== undefined && key !== undefined) {
    options.cert = cert;
    options.key = key;
  } else if ((cert === undefined) !== (key === undefined)) {
    report(
      'a client certificate needs both OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE and OTEL_EXPORTER_OTLP_CLIENT_KEY (or the clientCertificate and clientKey options); none is sent.',
    );
  }
  return options;
}
