import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import { spawnApp } from '../support/spawn-app.js';

const receiver = new OtlpReceiver();
beforeAll(async () => {
  await receiver.start();
});
afterAll(() => receiver.stop());
beforeEach(() => receiver.clear());

const SPANS = 10_000;
// A long schedule delay: nothing is exported before the shutdown path runs, unless a batch fills up.
const env = (extra: Record<string, string> = {}) => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
  OTEL_SERVICE_NAME: 'burst',
  OTEL_BSP_SCHEDULE_DELAY: '60000',
  OTEL_BSP_MAX_QUEUE_SIZE: String(SPANS),
  SPANS: String(SPANS),
  ...extra,
});
const register = ['--import', 'tracewire/register'];

describe('graceful shutdown: no span lost', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('%s: all spans arrive and the process ends by that signal, as without tracewire', async (signal) => {
    const app = await spawnApp({ flags: register, script: 'test/fixtures/burst.mjs', env: env({ MODE: 'wait' }) });
    app.child.kill(signal);
    const { code, signal: endedBy } = await app.exited;
    expect({ code, endedBy }).toEqual({ code: null, endedBy: signal });
    expect(receiver.spans).toHaveLength(SPANS);
    expect(new Set(receiver.spans.map((s) => s.attributes.i)).size).toBe(SPANS);
  });

  it("SIGTERM with the app's own handler: the handler still decides (exit code 3) and spans arrive", async () => {
    const app = await spawnApp({ flags: register, script: 'test/fixtures/burst.mjs', env: env({ MODE: 'wait', OWN_HANDLER: '1' }) });
    app.child.kill('SIGTERM');
    const { code } = await app.exited;
    expect(code).toBe(3);
    expect(app.stdout()).toContain('own handler ran');
    expect(receiver.spans).toHaveLength(SPANS);
  });

  it('beforeExit: spans are flushed when the event loop ends, and the exit code is kept', async () => {
    const app = await spawnApp({ flags: register, script: 'test/fixtures/burst.mjs', env: env({ MODE: 'exitcode' }), waitForPort: false });
    const { code } = await app.exited;
    expect(code).toBe(4);
    expect(receiver.spans).toHaveLength(SPANS);
  });

  it('explicit shutdown(): every span arrives and the stats say so', async () => {
    const app = await spawnApp({ flags: [], script: 'test/fixtures/burst.mjs', env: env({ MODE: 'shutdown' }), waitForPort: false });
    const { code } = await app.exited;
    expect(code).toBe(0);
    expect(receiver.spans).toHaveLength(SPANS);
    expect(app.stdout()).toContain(`"exported":${SPANS},"dropped":0,"failed":0`);
  });

  it('shutdownSignals "none": no handler is installed and SIGTERM kills at once', async () => {
    // One batch larger than the burst: no export starts before the signal, so only a flush could send the spans.
    const oneBatch = { OTEL_BSP_MAX_QUEUE_SIZE: String(SPANS + 1), OTEL_BSP_MAX_EXPORT_BATCH_SIZE: String(SPANS + 1) };
    const app = await spawnApp({ flags: register, script: 'test/fixtures/burst.mjs', env: env({ MODE: 'wait', TRACEWIRE_SHUTDOWN_SIGNALS: 'none', ...oneBatch }) });
    app.child.kill('SIGTERM');
    expect((await app.exited).signal).toBe('SIGTERM');
    expect(receiver.spans).toHaveLength(0);
  });
});

/** Runs `test` with a collector that accepts connections, reads requests and never answers; cleans up after. */
async function withSilentCollector(test: (port: number, sockets: Socket[]) => Promise<void>): Promise<void> {
  const sockets: Socket[] = [];
  const silent = createServer((socket) => {
    sockets.push(socket);
    socket.resume();
  });
  silent.listen(0, '127.0.0.1');
  await once(silent, 'listening');
  try {
    await test((silent.address() as { port: number }).port, sockets);
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
  }
}

describe('graceful shutdown: within the configured time bound', () => {
  it('a collector that accepts and never answers: SIGTERM still ends the process after TRACEWIRE_SHUTDOWN_TIMEOUT, by SIGTERM, with one report', async () => {
    await withSilentCollector(async (port, sockets) => {
      const app = await spawnApp({
        flags: register,
        script: 'test/fixtures/burst.mjs',
        env: { ...env({ MODE: 'wait', TRACEWIRE_SHUTDOWN_TIMEOUT: '1000' }), OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_EXPORTER_OTLP_TIMEOUT: '60000' },
      });
      app.child.kill('SIGTERM');
      const { signal } = await app.exited;
      expect(signal).toBe('SIGTERM');
      expect(sockets.length).toBeGreaterThan(0); // the flush really was waiting on the silent collector
      const reports = app.stderr().split('\n').filter((l) => l.includes('did not finish within 1000 ms'));
      expect(reports).toHaveLength(1);
      expect(reports[0]).toContain(`${SPANS} spans (queued spans and the batch in flight) were not exported`);
    });
  });
});

describe('natural exit: within the configured time bound', () => {
  it('a script that ends by itself with spans still queued and a collector that never answers exits after TRACEWIRE_SHUTDOWN_TIMEOUT, with its exit code and the counted report', async () => {
    await withSilentCollector(async (port, sockets) => {
      // The export timeout (60 s) would hold the process far longer than the test's own timeout.
      const app = await spawnApp({
        flags: register,
        script: 'test/fixtures/burst.mjs',
        waitForPort: false,
        // Fewer spans than a batch: nothing is exported before the script ends, the flush at exit sends them.
        env: { ...env({ MODE: 'exitcode', TRACEWIRE_SHUTDOWN_TIMEOUT: '1000', SPANS: '100' }), OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_EXPORTER_OTLP_TIMEOUT: '60000' },
      });
      const { code } = await app.exited;
      expect(code, app.stderr()).toBe(4);
      expect(sockets.length).toBeGreaterThan(0); // the flush really was waiting on the silent collector
      const lines = app.stderr().split('\n');
      const reports = lines.filter((l) => l.includes('did not finish within 1000 ms'));
      expect(reports).toHaveLength(1);
      expect(reports[0]).toContain('exit: the span flush did not finish within 1000 ms (TRACEWIRE_SHUTDOWN_TIMEOUT); 100 spans');
    });
  });
});
