// `node --require tracewire/register app.js`: start tracing synchronously before the app's first require.
// `started` is what the ES module entry (esm.ts) awaits: it settles once the loader hook acknowledged; never rejects.
import { startFromRegister } from './start-from-register.js';

export const started: Promise<void> = startFromRegister(import.meta.url);
