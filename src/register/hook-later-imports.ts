import type { Instrumentation } from '@opentelemetry/instrumentation';
import * as nodeModule from 'node:module';
import { createRequire } from 'node:module';
import { isMainThread } from 'node:worker_threads';
import { globalState } from '../internal/global-state.js';
import { debug, warn } from '../internal/log.js';
import { scriptName } from '../internal/script-name.js';
import { hookEsmImportsOfCommonJs, REQUIRE_HOOKED_FROM_ESM } from './require-hooks-for-esm-imports.js';

/** import-in-the-middle's in-thread registration (`module.registerHooks`), with the options passed here. */
interface SyncHooksEntry {
  register(options: { include: string[]; exclude: string[] }): void;
}

/** The modules the instrumentations hook (their module definitions' names), in the order first met. */
function hookedModuleNames(instrumentations: readonly Instrumentation[]): string[] {
  const names = new Set<string>();
  for (const instrumentation of instrumentations) {
    try {
      // InstrumentationBase's method; an Instrumentation of another kind may lack it.
      const definitions = (instrumentation as { getModuleDefinitions?(): ReadonlyArray<{ name: string }> }).getModuleDefinitions?.() ?? [];
      for (const definition of definitions) names.add(definition.name);
    } catch {
      // An instrumentation whose definitions cannot be read hooks nothing here.
    }
  }
  return [...names];
}

/**
 * What initTracing() does when the process was not started with `--import`/`--require tracewire/register`: makes
 * the modules the app imports after this call instrumented, as the register does for all of them.
 * - ES modules: import-in-the-middle's hooks are registered on the application thread with `module.registerHooks`
 *   (synchronous, so they apply from the next `import()` on, with no loader thread to wait for), for the modules the
 *   instrumentations hook only (`include`, their module definitions' names). Needs a Node.js whose registerHooks
 *   import-in-the-middle supports (22.22.3+, 24.11.1+, 26+); elsewhere an ES module app is warned, with the remedy.
 * - CommonJS packages imported from ES modules (REQUIRE_HOOKED_FROM_ESM: express, pg, ioredis) go to
 *   require-in-the-middle, as with the register.
 * What an ES module app imported statically was loaded before any module body ran, initTracing()'s included: no
 * hook sees it (diagnoseRuntime warns about the libraries among them). Once per process (the modules of a later
 * initTracing()'s instrumentations are not added), main thread only; never throws (a failure is reported and the
 * app runs with what could be instrumented).
 * @internal
 */
export function hookLaterImports(instrumentations: readonly Instrumentation[], parentUrl: string): void {
  const state = globalState() as { registered?: boolean };
  if (!isMainThread || state.registered === true) return;
  // Nothing to hook (no instrumentation hooks a module): no hooks, and a later initTracing() (after shutdown) may register them.
  const include = hookedModuleNames(instrumentations);
  if (include.length === 0) return;
  state.registered = true;
  try {
    hookEsmImportsOfCommonJs(REQUIRE_HOOKED_FROM_ESM);
    const localRequire = createRequire(parentUrl);
    // No imports: the in-thread entry (and the parser it loads) is required only when it is used.
    const { supportsSyncHooks } = localRequire('import-in-the-middle/supports-sync-hooks.mjs') as { supportsSyncHooks(): boolean };
    if (!supportsSyncHooks() || typeof (nodeModule as { registerHooks?: unknown }).registerHooks !== 'function') {
      // A CommonJS app's requires are hooked without it; an ES module app (no CommonJS main module) needs it.
      if (localRequire.main === undefined) {
        warn(
          `Node.js ${process.version} cannot hook ES modules from initTracing() (import-in-the-middle needs module.registerHooks of Node.js 22.22.3+, 24.11.1+ or 26+): ` +
            `the libraries this ES module app imports will not be traced. Remedy: start it with \`node --import tracewire/register ${scriptName()}\`, or upgrade Node.js.`,
        );
      }
      return;
    }
    (localRequire('import-in-the-middle/register-hooks.mjs') as SyncHooksEntry).register({
      include,
      exclude: [...REQUIRE_HOOKED_FROM_ESM],
    });
    debug(`ES module hooks registered on the application thread for: ${include.join(', ') || 'nothing'}`);
  } catch (error) {
    warn(
      `could not register the ES module hooks: ${(error as Error).message}; ES modules imported after initTracing() will not be instrumented.`,
    );
  }
}
