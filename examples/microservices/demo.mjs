// `npm run demo`: starts `tracewire dev` and the five services of service.mjs, each under
// `node --import tracewire/register`, sends a handful of requests (one slow, one failing), then stops the services
// (their spans are flushed on SIGTERM) and the receiver, which prints the last traces and the summary.
// In a terminal (or with `--keep-open`) the receiver stays up after the services stop, so that its trace viewer can be
// opened in a browser, until Ctrl-C; `--exit` ends at once, as it does when stdout is not a terminal.
// With OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) set, the services send there instead
// and no local receiver is started, so the same demo shows up in Jaeger or Tempo.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const SERVICE = join(ROOT, 'examples/microservices/service.mjs');
const CLI = join(ROOT, 'dist/cli.js');
const DEADLINE_MS = 60_000;
const external = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
const keepOpen = !process.argv.includes('--exit') && (process.argv.includes('--keep-open') || process.stdout.isTTY === true);
const children = [];

const log = (line) => process.stdout.write(`demo: ${line}\n`);

/** Starts a child and collects its output; `onLine` sees each stdout line. */
function start(args, env, { onLine, pipeStdout = false, name }) {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let buffered = '';
  child.stdout.on('data', (chunk) => {
    if (pipeStdout) process.stdout.write(chunk);
    buffered += chunk.toString();
    let nl;
    while ((nl = buffered.indexOf('\n')) !== -1) {
      onLine?.(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
    }
  });
  child.stderr.on('data', (chunk) => process.stderr.write(name === 'tracewire dev' ? chunk : `[${name}] ${chunk}`));
  child.exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }));
  return child;
}

/** Resolves with the first match of `pattern` in the child's stdout (or stderr), fails if it exits first. */
function waitFor(child, stream, pattern, what) {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match) {
        child[stream].off('data', onData);
        resolve(match);
      }
    };
    child[stream].on('data', onData);
    void child.exited.then(({ code, signal }) => reject(new Error(`${what} exited (${code ?? signal}) before it was ready`)));
  });
}

async function startService(role, env) {
  const child = start(
    ['--import', 'tracewire/register', SERVICE],
    { ROLE: role, OTEL_SERVICE_NAME: role, OTEL_BSP_SCHEDULE_DELAY: '200', ...env },
    { name: role },
  );
  const [, port] = await waitFor(child, 'stdout', /\{"port":(\d+)\}/, role);
  return { child, url: `http://127.0.0.1:${port}` };
}

/** Builds dist/ when it is missing or older than a source file (a fresh clone has no dist/). */
function buildIfNeeded() {
  const outputs = ['dist/cli.js', 'dist/register.js', 'dist/index.js'].map((f) => join(ROOT, f));
  const newestSource = (dir) =>
    readdirSync(dir, { withFileTypes: true }).reduce((max, e) => {
      const p = join(dir, e.name);
      return Math.max(max, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
    }, 0);
  const built = outputs.every((f) => existsSync(f)) ? Math.min(...outputs.map((f) => statSync(f).mtimeMs)) : 0;
  if (built > newestSource(join(ROOT, 'src'))) return;
  log('building tracewire first (npm run build)');
  const npm = process.env.npm_execpath;
  const result =
    npm && npm.endsWith('.js')
      ? spawnSync(process.execPath, [npm, 'run', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2] })
      : spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2], shell: process.platform === 'win32' });
  if (result.status !== 0) throw new Error('npm run build failed');
}

async function main() {
  buildIfNeeded();
  let dev;
  let endpoint = external;
  if (!external) {
    // An ephemeral port: the demo never collides with a collector, Jaeger or another demo on 4318.
    dev = start(
      [CLI, 'dev', '--port', '0', '--quiet', '500'],
      { NO_COLOR: process.env.NO_COLOR ?? (process.stdout.isTTY ? '' : '1') },
      { name: 'tracewire dev', pipeStdout: true },
    );
    const viewer = waitFor(dev, 'stderr', /trace viewer at (http:\/\/\S+)/, 'tracewire dev');
    const [, url] = await waitFor(dev, 'stderr', /receiving OTLP\/HTTP traces .* on (http:\/\/\S+)\/v1\/traces/, 'tracewire dev');
    endpoint = url;
    dev.viewerUrl = viewer.then(([, at]) => at);
  } else {
    log(`OTEL_EXPORTER_OTLP_ENDPOINT is set: the services send their spans to ${external} (no local receiver).`);
  }
  const otel = external ? {} : { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '' };

  const services = [];
  try {
    const [database, auth] = await Promise.all([startService('database', otel), startService('auth-service', otel)]);
    services.push(database, auth);
    const users = await startService('user-service', { ...otel, DATABASE_URL: database.url });
    services.push(users);
    const gateway = await startService('api-gateway', { ...otel, AUTH_URL: auth.url, USERS_URL: users.url });
    services.push(gateway);
    const frontend = await startService('frontend', { ...otel, GATEWAY_URL: gateway.url });
    services.push(frontend);
    log(`5 services up (frontend ${frontend.url}); sending requests`);

    for (const id of ['1', '2', 'slow', '13', '1']) {
      const started = performance.now();
      const res = await fetch(`${frontend.url}/api/users/${id}`);
      const body = await res.text();
      log(`GET /api/users/${id} -> ${res.status} in ${Math.round(performance.now() - started)} ms ${res.ok ? '' : `(${body.trim()})`}`);
    }
  } finally {
    // SIGTERM makes each service flush its spans before it exits.
    for (const s of services) s.child.kill('SIGTERM');
    await Promise.all(services.map((s) => s.child.exited));
  }
  if (dev && keepOpen) {
    // The services are gone; the receiver keeps their traces for the viewer until the developer is done.
    clearTimeout(deadline);
    log(`all traces received; the trace viewer stays open at ${await dev.viewerUrl} (press Ctrl-C to stop it)`);
    await new Promise((resolve) => process.once('SIGINT', resolve));
    // Ctrl-C in the terminal reached the receiver too (same process group); a SIGINT sent to the demo alone did not.
    const stopped = await Promise.race([dev.exited.then(() => true), new Promise((resolve) => setTimeout(resolve, 2000, false))]);
    if (!stopped) dev.kill('SIGINT');
    const { code } = await dev.exited;
    if (code !== 0) throw new Error(`tracewire dev exited with ${code}`);
    return;
  }
  if (dev) {
    dev.kill('SIGINT'); // prints the traces still waiting and the summary
    const { code } = await dev.exited;
    if (code !== 0) throw new Error(`tracewire dev exited with ${code}`);
  } else {
    log(`done: look for service "frontend" in your backend (${external}).`);
  }
}

const deadline = setTimeout(() => {
  process.stderr.write(`demo: did not finish within ${DEADLINE_MS / 1000} s\n`);
  for (const c of children) c.kill('SIGKILL');
  process.exit(1);
}, DEADLINE_MS);
deadline.unref();

main().then(
  () => clearTimeout(deadline),
  (error) => {
    process.stderr.write(`demo: ${error.stack ?? error}\n`);
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    process.exitCode = 1;
  },
);
