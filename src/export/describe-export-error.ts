import { maskUrlCredentials } from '../internal/mask-url.js';

/** Error codes of Node.js TLS when the collector's certificate cannot be verified. @internal */
export const UNTRUSTED_CERTIFICATE = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);
/** @internal */
export const HOST_MISMATCH = 'ERR_TLS_CERT_ALTNAME_INVALID';
/** @internal */
export const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

const GENERAL_REMEDY =
  'Remedy: check that the collector (Jaeger/Tempo, OTLP/HTTP on 4318) is running and reachable, ' +
  'and that OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_HEADERS are right.';

/**
 * The reason and remedy shown once when an export fails: TLS verification problems get a TLS remedy
 * (which CA file to set), everything else the general one. Never includes request headers, nor the credentials of a
 * URL in the error's message. @internal
 *
 * @example
 * ```ts
 * describeExportError(Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }));
 * // ': TLS: self-signed certificate in certificate chain (SELF_SIGNED_CERT_IN_CHAIN). … Remedy: set OTEL_EXPORTER_OTLP_CERTIFICATE …'
 * ```
 */
export function describeExportError(error: Error | undefined): { reason: string; remedy: string } {
  const message = error?.message ? `: ${maskUrlCredentials(error.message)}` : '';
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && UNTRUSTED_CERTIFICATE.has(code)) {
    return {
      reason: `: TLS${message} (${code}); the collector's certificate is not signed by a trusted CA`,
      remedy:
        "Remedy: set OTEL_EXPORTER_OTLP_CERTIFICATE (or the certificate option) to the PEM file of the CA that signed the collector's certificate.",
    };
  }
  if (code === HOST_MISMATCH) {
    return {
      reason: `: TLS${message}`,
      remedy: "Remedy: use the host name the collector's certificate was issued for in OTEL_EXPORTER_OTLP_ENDPOINT.",
    };
  }
  if (code !== undefined && EXPIRED.has(code)) {
    return {
      reason: `: TLS${message} (${code})`,
      remedy: "Remedy: renew the collector's certificate, or check the clock of this machine.",
    };
  }
  return { reason: message, remedy: GENERAL_REMEDY };
}
