// Starts a fixture app as a child process exactly as a user would (`node --import tracewire/register app.mjs`),
// and waits for the {"port":N} line it prints once listening.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface App {
  child: ChildProcess;
  port: number;
  url: string;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface SpawnOptions {
  flags: string[];
  script: string;
  env?: Record<string, string | undefined>;
  /** Wait for a {"port":N} line; false for scripts that do not listen. */
  waitForPort?: boolean;
  /** The working directory (default: the repository root, where `tracewire` resolves to this package). */
  cwd?: string;
}

/** The environment of a fixture: the test's own OTEL_* variables are removed so only `env` applies. */
export function cleanEnv(env: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith('OTEL_') && !k.startsWith('TRACEWIRE_') && !k.startsWith('VITEST') && k !== 'NODE_OPTIONS') base[k] = v;
  for (const [k, v] of Object.entries(env)) if (v !== undefined) base[k] = v;
  return base;
}

export async function spawnApp({ flags, script, env, waitForPort = true, cwd = ROOT }: SpawnOptions): Promise<App> {
  const child = spawn(process.execPath, [...flags, script], { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  let port = 0;
  if (waitForPort) {
    port = await new Promise<number>((resolvePort, reject) => {
      const onData = (): void => {
        const match = /\{"port":(\d+)\}/.exec(out);
        if (match) {
          child.stdout!.off('data', onData);
          resolvePort(Number(match[1]));
        }
      };
      child.stdout!.on('data', onData);
      void exited.then(({ code, signal }) => reject(new Error(`${script} exited (${code ?? signal}) before listening:\n${err}`)));
    });
  }
  return { child, port, url: `http://127.0.0.1:${port}`, stdout: () => out, stderr: () => err, exited };
}

/** Ends an app with SIGTERM and waits for it. */
export async function stopApp(app: App | undefined): Promise<void> {
  if (!app || app.child.exitCode !== null || app.child.signalCode !== null) return;
  app.child.kill('SIGTERM');
  await app.exited;
}
