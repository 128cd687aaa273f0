/** The package version, replaced at build time by tsup. @internal */
declare const __TRACEWIRE_VERSION__: string;
export const VERSION: string = typeof __TRACEWIRE_VERSION__ === 'string' ? __TRACEWIRE_VERSION__ : '0.0.0-dev';
