import { createRequire } from 'node:module';

/** True in the CommonJS register bundle, where tsup's esbuild plugin bundles the upstream file (see tsup.config.ts). */
declare const __TRACEWIRE_BUNDLES_UPSTREAM_UTILS__: boolean;

/**
 * An instrumentation package's internal `dist/utils.cjs` (outside the package's `exports`), checked to export
 * every function in `names`; throws, naming what is missing, if it moved or changed. In the register bundle it is
 * `bundled()`: a literal `require()` of the file that each adapter writes itself, because esbuild inlines only
 * literal specifiers (a traced process then reads no extra file at startup). Elsewhere it is required relative to
 * the package's entry file: relative requires inside a package are not subject to its `exports` map, and the module
 * resolves its dependencies from the package's location.
 * @internal
 */
export function loadUpstreamUtils<T>(packageName: string, names: readonly string[], bundled: () => unknown): T {
  let where = 'in the register bundle';
  let utils: Record<string, unknown>;
  if (typeof __TRACEWIRE_BUNDLES_UPSTREAM_UTILS__ === 'boolean' && __TRACEWIRE_BUNDLES_UPSTREAM_UTILS__) {
    utils = bundled() as Record<string, unknown>;
  } else {
    const entry = createRequire(import.meta.url).resolve(packageName);
    where = `beside ${entry}`;
    utils = createRequire(entry)('./utils.cjs') as Record<string, unknown>;
  }
  const missing = names.filter((name) => typeof utils[name] !== 'function');
  if (missing.length > 0) throw new Error(`${packageName}'s utils module (${where}) no longer exports ${missing.join(', ')}`);
  return utils as T;
}
