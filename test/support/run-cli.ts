// Runs the built `tracewire` command (dist/cli.js) as a child process, the way `npx tracewire …` does.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { cleanEnv, ROOT } from './spawn-app.js';

export const CLI = join(ROOT, 'dist/cli.js');

export interface CliRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startCli(args: string[], env: Record<string, string | undefined> = {}, cwd = ROOT): CliRun {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Runs the command to completion. */
export async function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  cwd = ROOT,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = startCli(args, env, cwd);
  const { code } = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** Resolves once `predicate` holds for the run's output; rejects if the process exits first or after `timeoutMs`. */
export function waitForOutput(run: CliRun, predicate: (stdout: string, stderr: string) => boolean, timeoutMs = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (!predicate(run.stdout(), run.stderr())) return;
      cleanup();
      resolve();
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out; stdout:\n${run.stdout()}\nstderr:\n${run.stderr()}`));
    }, timeoutMs);
    const onExit = (): void => {
      cleanup();
      reject(new Error(`exited early; stdout:\n${run.stdout()}\nstderr:\n${run.stderr()}`));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      run.child.stdout!.off('data', check);
      run.child.stderr!.off('data', check);
      run.child.off('exit', onExit);
    };
    run.child.stdout!.on('data', check);
    run.child.stderr!.on('data', check);
    run.child.on('exit', onExit);
    check();
  });
}

/** Starts `tracewire dev` on a free port and resolves with its URL. */
export async function startDev(args: string[] = [], env: Record<string, string | undefined> = {}): Promise<CliRun & { url: string }> {
  const run = startCli(['dev', '--port', '0', ...args], env);
  await waitForOutput(run, (_out, err) => /on (http:\/\/\S+)\/v1\/traces/.test(err));
  const url = /on (http:\/\/\S+)\/v1\/traces/.exec(run.stderr())![1]!;
  return { ...run, url };
}
