import { createAddHookMessageChannel } from 'import-in-the-middle';
import * as nodeModule from 'node:module';
import { createRequire } from 'node:module';
import { isMainThread, type MessagePort as WorkerMessagePort, type Transferable } from 'node:worker_threads';
import { initTracing } from '../sdk/init-tracing.js';
import { globalState } from '../internal/global-state.js';
import { warn } from '../internal/log.js';
import { hookEsmImportsOfCommonJs, REQUIRE_HOOKED_FROM_ESM } from './require-hooks-for-esm-imports.js';

/** import-in-the-middle's in-thread registration (`module.registerHooks`), with the options tracewire passes. */
interface SyncHooksEntry {
  register(options: { include: string[]; exclude: string[]; addHookMessagePort: unknown }): void;
}

/**
 * Registers import-in-the-middle's ESM hooks on the application thread with `module.registerHooks` where the
 * running Node.js supports them (22.22.3+, 24.11.1+, 26+; `module.register`, which runs the hooks on a loader
 * thread, is deprecated from Node.js 26), else on a loader thread with `module.register`. Both in "only hooked
 * modules" mode: the instrumentations' Hook() calls send their module names over a message port, acknowledged
 * before the app's first import. Returns the wait for those acknowledgements, or undefined when neither exists.
 */
function registerEsmHooks(parentUrl: string): (() => Promise<void>) | undefined {
  const localRequire = createRequire(parentUrl);
  // ES modules without top-level await: require() loads them synchronously (Node.js >= 22.12). The version check
  // imports nothing; the in-thread entry (and the parser it loads) only when it is used.
  const { supportsSyncHooks } = localRequire('import-in-the-middle/supports-sync-hooks.mjs') as { supportsSyncHooks(): boolean };
  const inThread =
    esmHooksSetting(process.env.TRACEWIRE_ESM_HOOKS) === 'auto' &&
    supportsSyncHooks() &&
    typeof (nodeModule as { registerHooks?: unknown }).registerHooks === 'function';
  if (!inThread && typeof nodeModule.register !== 'function') {
    warn(
      `Node.js ${process.version} has neither module.registerHooks() nor module.register(): ES modules will not be instrumented (Node.js >= 22.15 is required).`,
    );
    return undefined;
  }
  // Typed here: the package's declaration names the DOM's global MessagePort, which this project's types do not have.
  const channel = createAddHookMessageChannel<Record<string, unknown>>() as unknown as {
    registerOptions: { data?: Record<string, unknown>; transferList?: Transferable[] };
    addHookMessagePort: WorkerMessagePort;
    waitForAllMessagesAcknowledged(): Promise<void>;
  };
  const { registerOptions, addHookMessagePort, waitForAllMessagesAcknowledged } = channel;
  // These CommonJS packages are instrumented through require-in-the-middle also when ES modules import them.
  hookEsmImportsOfCommonJs(REQUIRE_HOOKED_FROM_ESM);
  const exclude = [...REQUIRE_HOOKED_FROM_ESM];
  if (inThread) {
    (localRequire('import-in-the-middle/register-hooks.mjs') as SyncHooksEntry).register({ include: [], exclude, addHookMessagePort });
  } else {
    nodeModule.register('import-in-the-middle/hook.mjs', parentUrl, { ...registerOptions, data: { ...registerOptions.data, exclude } });
  }
  return waitForAllMessagesAcknowledged;
}

/**
 * TRACEWIRE_ESM_HOOKS: `thread` keeps the ESM hooks on a loader thread (`module.register`) where the in-thread
 * ones would be used; `auto` (the default, also for an empty value) uses the in-thread hooks where supported.
 * Another value warns once, naming the variable, the value and the fallback. @internal
 */
export function esmHooksSetting(raw: string | undefined): 'auto' | 'thread' {
  const value = (raw ?? '').trim().toLowerCase();
  if (value === '' || value === 'auto') return 'auto';
  if (value === 'thread') return 'thread';
  warn(`TRACEWIRE_ESM_HOOKS="${raw}" is not auto or thread; using auto.`);
  return 'auto';
}

/**
 * What `--import tracewire/register` and `--require tracewire/register` do, once per process, on the main
 * thread only: register the import-in-the-middle ESM hooks (see registerEsmHooks; in "only hooked modules" mode,
 * so modules nobody instruments are not wrapped; the CommonJS packages of REQUIRE_HOOKED_FROM_ESM are left to
 * require-in-the-middle), start tracing from the environment, and return a promise that resolves
 * once the hooks have acknowledged every module the instrumentations hook.
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
    acknowledged = registerEsmHooks(parentUrl) ?? acknowledged;
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
