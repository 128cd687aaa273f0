// `node --import tracewire/register app.js`: start tracing, and wait for the loader hook before the app runs.
// The work is done by the CommonJS build (register.cjs, next to this file): the instrumentation packages are
// CommonJS and require the CommonJS builds of @opentelemetry/api and core, so loading the SDK through `import`
// would load a second (ES module) copy of them, and CommonJS loading is cheaper than the ESM loader's
// resolve/link steps. Measured: see bench/README.md "Startup".
import { createRequire } from 'node:module';

const { started } = createRequire(import.meta.url)('./register.cjs') as { started: Promise<void> };
await started;
