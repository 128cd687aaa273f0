// `node --require tracewire/register app.js`: start tracing synchronously before the app's first require.
// `started` is what the ES module entry (esm.ts) awaits: it settles once the loader hook acknowledged; never rejects.
import { BUNDLED_INSTRUMENTATIONS } from '../instrumentations/bundled-instrumentations.js';
import { useBundledInstrumentations } from '../instrumentations/load-instrumentations.js';
import { startFromRegister } from './start-from-register.js';

useBundledInstrumentations(BUNDLED_INSTRUMENTATIONS);

/** @internal Settles once tracing started and the loader hook acknowledged; never rejects. */
export const started: Promise<void> = startFromRegister(import.meta.url);
