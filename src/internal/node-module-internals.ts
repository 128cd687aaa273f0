import Module from 'node:module';
import { dirname } from 'node:path';
import { debug } from './log.js';

/**
 * The adapter that owns tracewire's dependency on undocumented internals of Node.js's CommonJS loader
 * (`node:module`), checked on the running Node.js (24 is the reference) by test/unit/upstream-adapters.test.ts:
 *
 * 1. `Module._load(request, parent, isMain)`: what `require()` goes through, and what Node.js's ES module loader
 *    calls, with the resolved filename and no parent (`undefined`), to load a CommonJS file that an ES module
 *    imports. {@link wrapModuleLoad} replaces it (the register's require-hooks-for-esm-imports.ts).
 * 2. `Module._nodeModulePaths(dir)`: the `node_modules` folders a module in `dir` resolves packages from.
 * 3. `Module.prototype._compile(source, filename)`: runs a CommonJS source as that module, with its own `require`.
 *    {@link compileCommonJs} uses 2 and 3 for the register bundle's instrumentation chunks (bundled-instrumentations.ts).
 *
 * When Node.js changes them, tracewire degrades and never throws into the app: without a function `Module._load`,
 * wrapModuleLoad returns false with a debug message (CommonJS packages that ES modules import are then not
 * instrumented through require-in-the-middle); without `_nodeModulePaths` or `_compile`, compileCommonJs throws an
 * error naming what is missing, which loadInstrumentations reports as a warning while skipping that instrumentation.
 * @internal
 */
export type ModuleLoad = (this: unknown, request: string, parent: unknown, isMain: boolean) => unknown;

interface LoaderInternals {
  _load?: unknown;
  _nodeModulePaths?: unknown;
}
interface CompilableModule extends Module {
  _compile?: unknown;
}

const internals = Module as unknown as LoaderInternals;

/**
 * Replaces `Module._load` with `wrap(load)`, where `load` is the current one; returns false (with a debug message)
 * when Node.js has no such function, leaving the loader as it is.
 * @internal
 */
export function wrapModuleLoad(wrap: (load: ModuleLoad) => ModuleLoad): boolean {
  const load = internals._load;
  if (typeof load !== 'function') {
    debug(
      `Node.js ${process.version} has no Module._load; CommonJS packages imported by ES modules are not instrumented through require hooks`,
    );
    return false;
  }
  internals._load = wrap(load as ModuleLoad);
  return true;
}

/**
 * Runs `source` as the CommonJS module `filename` (resolving packages from its folder) whose `require` is
 * `requireFrom`, called with the module as `this`; returns its exports. Throws, naming what is missing, when
 * Node.js lacks the loader internals it needs.
 * @internal
 */
export function compileCommonJs(filename: string, source: string, requireFrom: (this: Module, id: string) => unknown): unknown {
  const nodeModulePaths = internals._nodeModulePaths;
  const compiled = new Module(filename) as CompilableModule;
  if (typeof nodeModulePaths !== 'function' || typeof compiled._compile !== 'function') {
    const missing = [
      typeof nodeModulePaths !== 'function' && 'Module._nodeModulePaths',
      typeof compiled._compile !== 'function' && 'Module.prototype._compile',
    ].filter(Boolean);
    throw new Error(`Node.js ${process.version} has no ${missing.join(' or ')} to load ${filename}`);
  }
  compiled.filename = filename;
  compiled.paths = Reflect.apply(nodeModulePaths, Module, [dirname(filename)]) as string[];
  compiled.require = requireFrom as NodeJS.Require;
  Reflect.apply(compiled._compile, compiled, [source, filename]);
  compiled.loaded = true;
  return compiled.exports;
}
