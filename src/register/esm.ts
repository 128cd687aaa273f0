// `node --import tracewire/register app.js`: start tracing, and wait for the loader hook before the app runs.
import { startFromRegister } from './start-from-register.js';

await startFromRegister(import.meta.url);
