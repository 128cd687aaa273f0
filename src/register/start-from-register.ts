import { createAddHookMessageChannel } from 'import-in-the-middle';
import * as nodeModule from 'node:module';
import { isMainThread } from 'node:worker_threads';
import { initTracing } from '../sdk/init-tracing.js';
import { globalState } from '../internal/global-state.js';
import { warn } from '../internal/log.js';
import { hookEsmImportsOfCommonJs, REQUIRE_HOOKED_FROM_ESM } from './require-hooks-for-esm-imports.js';

/**
 * What `--import tracewire/register` and `--require tracewire/register` do, once per process, on the main
 * thread only: register the import-in-the-middle ESM loader hook (in "only hooked modules" mode, so modules
 * nobody instruments are not wrapped; the CommonJS packages of REQUIRE_HOOKED_FROM_ESM are left to
 * require-in-the-middle), start tracing from the environment, and return a promise that resolves
 * once the loader thread has acknowledged every module the instrumentations hook.
 * Never throws into the app: any failure is reported and the app runs untraced.
 * @internal
 */
export function startFromRegister(parentUrl: string): Promise<void> {
  if (!isMainThread) return Promise.resolve();
  const state = globalState() as { registered?: boolean };
  if (state.registered === true) return Promise.resolve();
  state.registered = true;

  let acknowledged: () => Promise<void> = () => Promise.resolve();
  try {
    if (typeof nodeModule.register === 'function') {
      const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
      // These CommonJS packages are instrumented through require-in-the-middle also when ES modules import them.
      hookEsmImportsOfCommonJs(REQUIRE_HOOKED_FROM_ESM);
      const data = { ...registerOptions.data, exclude: [...REQUIRE_HOOKED_FROM_ESM] };
      nodeModule.register('import-in-the-middle/hook.mjs', parentUrl, { ...registerOptions, data });
      acknowledged = waitForAllMessagesAcknowledged;
    } else {
      warn(`Node.js ${process.version} has no module.register(): ES modules will not be instrumented (Node.js >= 20.6 is required).`);
    }
  } catch (error) {
    warn(`could not register the ESM loader hook: ${(error as Error).message}; ES modules will not be instrumented.`);
  }
  try {
    initTracing();
  } catch (error) {
    warn(`tracing did not start: ${(error as Error).message}`);
  }
  return acknowledged().catch((error: unknown) => {
    warn(`the ESM loader hook did not acknowledge: ${(error as Error)?.message ?? String(error)}`);
  });
}
