import { defineSection } from './option-reader.js';
import { integerIn, MAX_INT } from './validators.js';

const SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'];
/** @internal */
export const SHUTDOWN_DEFAULTS = Object.freeze({ signals: Object.freeze(['SIGTERM', 'SIGINT'] as NodeJS.Signals[]), timeoutMs: 5000 });

/**
 * Shutdown: the signals that flush and exit (`shutdownSignals` > TRACEWIRE_SHUTDOWN_SIGNALS > SIGTERM,SIGINT; `false`
 * or `none` for none) and the time bound of the flush (`shutdownTimeoutMs` > TRACEWIRE_SHUTDOWN_TIMEOUT > 5000 ms).
 * @internal
 */
export const shutdownSection = defineSection(['shutdownSignals', 'shutdownTimeoutMs'], (r) => {
  const e = r.env;
  let shutdownSignals = r.get<false | NodeJS.Signals[]>(
    'shutdownSignals',
    (v) => v === false || (Array.isArray(v) && v.every((s) => SIGNALS.includes(s as NodeJS.Signals))),
    `false or an array of ${SIGNALS.join(', ')}`,
  );
  if (shutdownSignals === undefined && !r.given('shutdownSignals')) {
    const list = e.list('TRACEWIRE_SHUTDOWN_SIGNALS');
    if (list !== undefined) {
      const upper = list.map((s) => s.toUpperCase());
      if (upper.length === 1 && upper[0] === 'NONE') shutdownSignals = false;
      else if (upper.every((s) => SIGNALS.includes(s as NodeJS.Signals))) shutdownSignals = upper as NodeJS.Signals[];
      else
        e.warn(
          'TRACEWIRE_SHUTDOWN_SIGNALS',
          r.rawEnv.TRACEWIRE_SHUTDOWN_SIGNALS ?? '',
          `is not "none" or a list of ${SIGNALS.join(', ')}`,
          SHUTDOWN_DEFAULTS.signals.join(','),
        );
    }
  }
  const shutdownTimeoutMs =
    r.get<number>('shutdownTimeoutMs', integerIn(1, MAX_INT), 'a positive integer (ms)') ??
    e.integer('TRACEWIRE_SHUTDOWN_TIMEOUT', 1, MAX_INT, `${SHUTDOWN_DEFAULTS.timeoutMs}`) ??
    SHUTDOWN_DEFAULTS.timeoutMs;
  return {
    shutdownSignals: shutdownSignals === false ? (false as const) : Object.freeze([...(shutdownSignals ?? SHUTDOWN_DEFAULTS.signals)]),
    shutdownTimeoutMs,
  };
});
