import type { ExportResponse, IExporterTransport } from '@opentelemetry/otlp-exporter-base';
import { RUNNING, type ExportControl } from '../../internal/export-control.js';
import { backoffMs, MAX_RETRIES, retryDelay, retryDelayAtShutdown } from './retry-delay.js';

/** The state an exporter shares with its transport and agent. @internal */
export interface ExportControlState {
  control: ExportControl;
  /** Called with the new control when it changes (the agent releases the sockets of the requests in flight). */
  onChange?: (control: ExportControl) => void;
}

/** A send waiting for its next attempt. */
interface PendingRetry {
  readonly result: ExportResponse;
  /** When the wait began (the previous attempt's answer). */
  readonly since: number;
  readonly backoff: number;
  readonly exportDeadline: number;
  timer: NodeJS.Timeout | undefined;
  readonly resolve: (retry: boolean) => void;
}

/**
 * The retry loop around the stock OTLP/HTTP transport (which sends one request and classifies the answer), in place
 * of the stock retrying transport, with two differences:
 * - while running, the stock policy (up to 5 retries, backoff from 1 s by 1.5 up to 5 s with ±20 % jitter,
 *   Retry-After honoured, never past OTEL_EXPORTER_OTLP_TIMEOUT), but its timers need not keep the process alive
 *   (`control.letProcessExit`), so that the app's own end is noticed while an export waits to retry;
 * - during shutdown (`control.shutdownDeadline`), only what can still succeed before the deadline is retried:
 *   Retry-After that ends before it, a timeout, a reset connection. A refused connection or an unresolvable host
 *   fails at once, also an export that was already waiting to retry when shutdown began.
 * @internal
 */
export class BoundedRetryTransport implements IExporterTransport {
  private readonly pending = new Set<PendingRetry>();
  private readonly onRetryDue = (pending: PendingRetry): void => this.finish(pending, true);

  constructor(
    private readonly http: IExporterTransport,
    private readonly state: ExportControlState = { control: RUNNING },
  ) {}

  /** Applies `control`; every send waiting to retry is reconsidered under it (and given up if it cannot succeed). */
  setControl(control: ExportControl): void {
    this.state.control = control;
    this.state.onChange?.(control);
    for (const pending of this.pending) this.schedule(pending);
  }

  async send(data: Uint8Array, timeoutMillis: number): Promise<ExportResponse> {
    const exportDeadline = Date.now() + timeoutMillis;
    let result = await this.http.send(data, timeoutMillis);
    for (let retry = 0; retry < MAX_RETRIES && result.status === 'retryable'; retry++) {
      if (!(await this.waitToRetry(result, retry, exportDeadline))) break;
      result = await this.http.send(data, Math.max(1, exportDeadline - Date.now()));
    }
    return result;
  }

  shutdown(): void {
    this.http.shutdown();
  }

  /** Resolves true when the next attempt is due, false when the send gives up. */
  private waitToRetry(result: ExportResponse, retry: number, exportDeadline: number): Promise<boolean> {
    return new Promise((resolve) => {
      const pending: PendingRetry = {
        result,
        since: Date.now(),
        backoff: backoffMs(retry, Math.random()),
        exportDeadline,
        timer: undefined,
        resolve,
      };
      this.pending.add(pending);
      this.schedule(pending);
    });
  }

  /** (Re)arms the wait of `pending` under the current control, or ends it when no retry can succeed. */
  private schedule(pending: PendingRetry): void {
    if (pending.timer !== undefined) clearTimeout(pending.timer);
    const { shutdownDeadline, letProcessExit } = this.state.control;
    const wait =
      shutdownDeadline === undefined
        ? retryDelay(pending.result, pending.backoff, pending.since, pending.exportDeadline)
        : retryDelayAtShutdown(pending.result, pending.since, pending.exportDeadline, shutdownDeadline);
    if (wait === undefined) {
      this.finish(pending, false);
      return;
    }
    pending.timer = setTimeout(this.onRetryDue, Math.max(0, pending.since + wait - Date.now()), pending);
    if (letProcessExit) pending.timer.unref();
  }

  private finish(pending: PendingRetry, retry: boolean): void {
    if (!this.pending.delete(pending)) return;
    if (pending.timer !== undefined) clearTimeout(pending.timer);
    pending.resolve(retry);
  }
}
