import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { TlsAgentOptions } from '../../export/read-tls-files.js';

/** How much of an answer's body is kept to explain it. */
const MAX_BODY_BYTES = 64 * 1024;

/** What the endpoint answered to the probe. @internal */
export interface ProbeAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly location: string | null;
  /** At most the first 64 KiB. */
  readonly body: Buffer;
}

/** The answer's status, headers and the start of its body. */
function readAnswer(res: IncomingMessage): Promise<ProbeAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (): void =>
      resolve({
        status: res.statusCode ?? 0,
        contentType: String(res.headers['content-type'] ?? ''),
        location: res.headers.location ?? null,
        body: Buffer.concat(chunks),
      });
    res.on('data', (chunk: Buffer) => {
      if (size >= MAX_BODY_BYTES) return;
      chunks.push(chunk.subarray(0, MAX_BODY_BYTES - size));
      size += chunk.length;
      if (size >= MAX_BODY_BYTES) {
        res.destroy();
        done();
      }
    });
    res.on('end', done);
    res.on('error', reject);
  });
}

/**
 * POSTs the probe with the transport the app's OTLP exporter uses (that of `@opentelemetry/otlp-exporter-base` for
 * Node.js): `http.request`/`https.request` on the parsed URL, so credentials in the URL go as Basic authorization,
 * through an agent built from the same TLS options (`readTlsFiles`: CA, client certificate and key; none of them for
 * an http:// URL), with the same headers. Redirects are not followed (nor are they by the exporter). Rejects with the
 * network error (`TimeoutError` after `timeoutMs`); the agent is destroyed either way, so nothing is left open.
 * @internal
 *
 * @example
 * ```ts
 * const answer = await sendProbe(new URL(config.tracesEndpoint), headers, body, readTlsFiles(config), 10_000);
 * ```
 */
export async function sendProbe(
  url: URL,
  headers: Readonly<Record<string, string>>,
  body: Uint8Array,
  tls: TlsAgentOptions | undefined,
  timeoutMs: number,
): Promise<ProbeAnswer> {
  const secure = url.protocol === 'https:';
  const options = tls ?? { keepAlive: true as const };
  let agent: HttpAgent;
  if (secure) agent = new HttpsAgent(options);
  else {
    const { ca: _ca, cert: _cert, key: _key, ...plain } = options;
    agent = new HttpAgent(plain);
  }
  try {
    return await new Promise<ProbeAnswer>((resolve, reject) => {
      const send = secure ? httpsRequest : httpRequest;
      const req = send(url, { method: 'POST', headers: { ...headers }, agent, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
        readAnswer(res).then(resolve, reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  } finally {
    agent.destroy();
  }
}
