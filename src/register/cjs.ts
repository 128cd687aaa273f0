// `node --require tracewire/register app.js`: start tracing synchronously before the app's first require.
import { startFromRegister } from './start-from-register.js';

void startFromRegister(import.meta.url);
