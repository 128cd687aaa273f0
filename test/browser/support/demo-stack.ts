// `tracewire dev` (the built command, with its viewer) and the five services of examples/microservices, started as
// examples/microservices/demo.mjs starts them, with the demo's five requests sent.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { cleanEnv, ROOT } from '../../support/spawn-app.js';

const CLI = join(ROOT, 'dist/cli.js');
const SERVICE = join(ROOT, 'examples/microservices/service.mjs');

/** Output of a child so far, and a promise for the first match of a pattern in it. */
class Child {
  out = '';
  err = '';
  readonly exited: Promise<unknown>;
  constructor(readonly process: ChildProcess) {
    process.stdout!.on('data', (c: Buffer) => (this.out += c.toString()));
    process.stderr!.on('data', (c: Buffer) => (this.err += c.toString()));
    this.exited = once(process, 'exit');
  }

  /** Resolves when `test` holds for stdout+stderr (checked on each chunk); rejects when the child exits first. */
  waitFor<T>(test: (out: string, err: string) => T | undefined, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = test(this.out, this.err);
        if (found === undefined) return;
        this.process.stdout!.off('data', check);
        this.process.stderr!.off('data', check);
        resolve(found);
      };
      this.process.stdout!.on('data', check);
      this.process.stderr!.on('data', check);
      void this.exited.then(() => reject(new Error(`${what}: exited first\n${this.err}`)));
      check();
    });
  }
}

function start(args: string[], env: Record<string, string>): Child {
  return new Child(spawn(process.execPath, args, { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** The receiver and services of the demo. */
export interface DemoStack {
  /** The viewer's URL, e.g. http://127.0.0.1:41234/ */
  readonly viewerUrl: string;
  /** The receiver's base URL (OTLP at /v1/traces). */
  readonly receiverUrl: string;
  readonly dev: Child;
  stop(): Promise<void>;
}

async function startService(role: string, env: Record<string, string>, children: Child[]): Promise<string> {
  const child = start(['--import', 'tracewire/register', SERVICE], {
    ROLE: role,
    OTEL_SERVICE_NAME: role,
    OTEL_BSP_SCHEDULE_DELAY: '200',
    ...env,
  });
  children.push(child);
  const port = await child.waitFor((out) => /\{"port":(\d+)\}/.exec(out)?.[1], role);
  return `http://127.0.0.1:${port}`;
}

/** Starts `tracewire dev` and the five services, sends the demo's five requests and waits until the five traces are printed. */
export async function startDemoStack(devArgs: string[] = []): Promise<DemoStack> {
  const dev = start([CLI, 'dev', '--port', '0', '--quiet', '300', ...devArgs], { NO_COLOR: '1' });
  const children: Child[] = [];
  const stop = async (): Promise<void> => {
    for (const child of [...children, dev]) child.process.kill('SIGTERM');
    await Promise.all([...children, dev].map((c) => c.exited));
  };
  try {
    const receiverUrl = await dev.waitFor(
      (_, err) => /receiving OTLP\/HTTP traces .* on (http:\/\/\S+)\/v1\/traces/.exec(err)?.[1],
      'tracewire dev',
    );
    const viewerUrl = await dev.waitFor((_, err) => /trace viewer at (http:\/\/\S+)/.exec(err)?.[1], 'tracewire dev viewer');
    const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl };
    const [database, auth] = await Promise.all([startService('database', otel, children), startService('auth-service', otel, children)]);
    const users = await startService('user-service', { ...otel, DATABASE_URL: database }, children);
    const gateway = await startService('api-gateway', { ...otel, AUTH_URL: auth, USERS_URL: users }, children);
    const frontend = await startService('frontend', { ...otel, GATEWAY_URL: gateway }, children);
    for (const id of ['1', '2', 'slow', '13', '1']) await (await fetch(`${frontend}/api/users/${id}`)).text();
    await dev.waitFor((out) => ((out.match(/^Trace [0-9a-f]{32}/gm)?.length ?? 0) >= 5 ? true : undefined), 'five traces printed');
    return { viewerUrl, receiverUrl, dev, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
