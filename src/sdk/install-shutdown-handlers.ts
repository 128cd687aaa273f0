import { debug } from '../internal/log.js';

/** @internal */
export interface ShutdownTarget {
  /**
   * Flushes the pipeline at the end of the process (beforeExit, or a signal the app handles itself): exports are
   * bounded by the shutdown deadline while it runs.
   */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
  /** Reports that a flush did not finish within the bound, with what was not exported. */
  reportTimeout(where: string): void;
  /** Reports, once, the spans dropped, failed and not exported (synchronous: runs in the 'exit' event). */
  reportTotals(): void;
}

/**
 * Resolves after `promise` or `ms`, whichever comes first; never rejects. The timer keeps the process alive until
 * then: the exports it waits for may not (tracewire's OTLP transport lets the process exit, see ExportControl).
 * @internal
 */
export function withTimeout(promise: Promise<unknown>, ms: number): Promise<'done' | 'timeout'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve('done');
      },
      (error: unknown) => {
        clearTimeout(timer);
        debug(`flush failed: ${(error as Error)?.message ?? String(error)}`);
        resolve('done');
      },
    );
  });
}

/**
 * While `flushed` is pending, a `process.exit(code)` from the app's own signal handler is held back and
 * performed, with the same code, once the flush has finished (or timed out). Without this, a handler that
 * exits right away would lose every span still queued.
 */
function deferExitUntil(flushed: Promise<unknown>): void {
  const realExit = process.exit;
  let requested = false;
  let requestedCode: Parameters<typeof process.exit>[0];
  const deferredExit = function exit(code?: Parameters<typeof process.exit>[0]): never {
    requested = true;
    requestedCode = code;
    return undefined as never;
  };
  process.exit = deferredExit;
  void flushed.then(() => {
    if (process.exit === deferredExit) process.exit = realExit;
    if (requested) realExit.call(process, requestedCode);
  });
}

/**
 * Installs the graceful-shutdown handlers and returns a function that removes them.
 *
 * - On each signal: spans are flushed (bounded by `timeoutMs`). If the app has no handler of its own for that
 *   signal, tracewire then re-raises it with the default action, so the process ends exactly as it would have
 *   without tracewire (killed by the signal: exit status 128+n). If the app has its own handler, that handler
 *   runs as before and decides; tracewire only flushes, and a process.exit() the handler calls meanwhile is
 *   carried out (with its code) when the flush is done, at most `timeoutMs` later.
 * - On beforeExit: pending spans are flushed, with the exports already in flight (bounded by `timeoutMs`: past it,
 *   the process exits at once with its own exit code, and what was not exported is reported); the process then
 *   exits with its own exit code. beforeExit comes even while an export of tracewire's OTLP exporter is in flight,
 *   whose sockets and timers do not keep the process alive.
 * - On exit (every path but death by a signal, where shutdown reports): the dropped and failed totals, once.
 * @internal
 */
export function installShutdownHandlers(target: ShutdownTarget, signals: readonly NodeJS.Signals[], timeoutMs: number): () => void {
  let flushingOnExit = false;
  const onBeforeExit = (): void => {
    // Flushing schedules I/O, after which beforeExit fires again: flush once per quiet period only.
    if (flushingOnExit) return;
    flushingOnExit = true;
    void withTimeout(target.flush(), timeoutMs).then((outcome) => {
      if (outcome === 'timeout') {
        // The app is done and only the export holds the process (a collector that never answers, retries):
        // end it now, with the app's own exit code, as the signal path does.
        target.reportTimeout('exit');
        process.exit();
      }
      setImmediate(() => {
        flushingOnExit = false;
      }).unref();
    });
  };
  const onExit = (): void => target.reportTotals();

  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const signal of signals) {
    const handler = (): void => {
      const appHandlers = process.listenerCount(signal) - 1;
      if (appHandlers > 0) {
        debug(`${signal}: flushing spans; the app's own ${signal} handler decides what happens next`);
        deferExitUntil(withTimeout(target.flush(), timeoutMs));
        return;
      }
      debug(`${signal}: flushing spans (at most ${timeoutMs} ms), then ending the process as Node.js would`);
      void withTimeout(target.shutdown(), timeoutMs).then((outcome) => {
        if (outcome === 'timeout') target.reportTimeout(signal);
        remove();
        process.kill(process.pid, signal);
      });
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
  process.on('beforeExit', onBeforeExit);
  process.on('exit', onExit);

  function remove(): void {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
    handlers.clear();
    process.removeListener('beforeExit', onBeforeExit);
    process.removeListener('exit', onExit);
  }
  return remove;
}
