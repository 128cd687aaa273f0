// Starts the real backends of the e2e suite on 127.0.0.1 and stops them: Jaeger v2 (all-in-one, memory
// storage); a second Jaeger v2 process running as an OpenTelemetry Collector configured like Grafana Tempo's
// distributor (its OTLP receiver with client metadata, the X-Scope-OrgID tenant copied into the spans), which
// forwards to the first; a third running the tail-sampling Collector pipeline of examples/deploy in front of
// that Tempo-like receiver; PostgreSQL and Redis. The Jaeger binary comes from build.sh (cached by version).
// Grafana Tempo is AGPL-licensed: it is never downloaded, built or run here (see tempo-ingest.yaml).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../support/spawn-app.js';

const BUILD = readFileSync(join(ROOT, 'test/e2e/backends/build.sh'), 'utf8');
const version = (name: string): string => {
  const match = new RegExp(`^${name}_VERSION=(\\S+)$`, 'm').exec(BUILD);
  if (!match) throw new Error(`build.sh has no ${name}_VERSION`);
  return match[1];
};
const BIN = join(process.env.TRACEWIRE_BACKENDS_CACHE ?? join(homedir(), '.cache/tracewire-backends'), 'bin');

export const PORTS = {
  jaegerOtlpHttp: 4318,
  jaegerQuery: 16686,
  jaegerSampling: 5778,
  /** The Tempo-like OTLP receiver (tempo-ingest.yaml), forwarding to Jaeger. */
  tempoOtlpHttp: 4418,
  /** The tail-sampling Collector (examples/deploy/collector/tail-sampling.yaml), exporting to the Tempo-like receiver. */
  collectorOtlpHttp: 4428,
  postgres: 54329,
  redis: 63799,
} as const;
export const TEMPO_TENANT = 'e2e-tenant';
/** The span attribute into which the Tempo-like receiver copies the X-Scope-OrgID header. */
export const TENANT_ATTRIBUTE = 'tempo.tenant';
export const JAEGER_URL = `http://127.0.0.1:${PORTS.jaegerQuery}`;
export const DATABASE_URL = `postgres://postgres@127.0.0.1:${PORTS.postgres}/postgres`;
export const REDIS_URL = `redis://127.0.0.1:${PORTS.redis}`;

interface Running {
  name: string;
  child: ChildProcess;
  log: () => string;
}

export class Backends {
  private readonly dir = mkdtempSync(join(tmpdir(), 'tracewire-e2e-'));
  private readonly running: Running[] = [];
  private pgBin = '';

  private launch(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd = this.dir): Running {
    if (!existsSync(command)) throw new Error(`${name}: ${command} not found. Build the backends first: bash test/e2e/backends/build.sh`);
    let log = '';
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-20_000)));
    child.stderr!.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-20_000)));
    const r = { name, child, log: () => log };
    this.running.push(r);
    return r;
  }

  /** Polls `check` until it is true; fails with the process log after `timeoutMs`. */
  private async ready(r: Running | undefined, what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (r && r.child.exitCode !== null) throw new Error(`${what} exited with ${r.child.exitCode}:\n${r.log()}`);
      if (await check().catch(() => false)) return;
      await new Promise((res) => setTimeout(res, 250));
    }
    throw new Error(`${what} was not ready within ${timeoutMs / 1000} s${r ? `:\n${r.log()}` : ''}`);
  }

  private static async httpOk(url: string): Promise<boolean> {
    const res = await fetch(url);
    return res.ok;
  }

  /** The file of sampling strategies Jaeger serves on its remote sampling port (re-read every second). */
  get samplingStrategiesFile(): string {
    return join(this.dir, 'sampling-strategies.json');
  }

  /** Replaces Jaeger's sampling strategies (the file format of Jaeger's `remote_sampling.file` extension). */
  writeSamplingStrategies(strategies: object): void {
    writeFileSync(this.samplingStrategiesFile, JSON.stringify(strategies, null, 2));
  }

  async startJaeger(): Promise<void> {
    this.writeSamplingStrategies({ default_strategy: { type: 'probabilistic', param: 1 } });
    const r = this.launch(
      'jaeger',
      join(BIN, `jaeger-${version('JAEGER')}`),
      [
        `--set=extensions.jaeger_query.http.endpoint=127.0.0.1:${PORTS.jaegerQuery}`,
        '--set=extensions.jaeger_query.grpc.endpoint=127.0.0.1:16685',
        `--set=extensions.remote_sampling.file.path=${this.samplingStrategiesFile}`,
        `--set=extensions.remote_sampling.http.endpoint=127.0.0.1:${PORTS.jaegerSampling}`,
      ],
      { JAEGER_LISTEN_HOST: '127.0.0.1' },
    );
    await this.ready(r, 'Jaeger', () => Backends.httpOk(`${JAEGER_URL}/api/services`));
  }

  /** OTLP/HTTP listens once the receiver answers 405 to a GET. */
  private static async otlpListening(port: number): Promise<boolean> {
    return (await fetch(`http://127.0.0.1:${port}/v1/traces`)).status === 405;
  }

  /** A second Jaeger v2 process as the Collector that stands in for Tempo's OTLP ingest (tempo-ingest.yaml). */
  async startTempoLikeReceiver(): Promise<void> {
    const config = readFileSync(join(ROOT, 'test/e2e/backends/tempo-ingest.yaml'), 'utf8')
      .replace('endpoint: 127.0.0.1:4418', `endpoint: 127.0.0.1:${PORTS.tempoOtlpHttp}`)
      .replace('endpoint: http://127.0.0.1:4318', `endpoint: http://127.0.0.1:${PORTS.jaegerOtlpHttp}`);
    const file = join(this.dir, 'tempo-ingest.yaml');
    writeFileSync(file, config);
    const r = this.launch('tempo-like receiver', join(BIN, `jaeger-${version('JAEGER')}`), [`--config=${file}`]);
    await this.ready(r, 'Tempo-like OTLP receiver', () => Backends.otlpListening(PORTS.tempoOtlpHttp));
  }

  /** The tail-sampling pipeline of examples/deploy, exporting to the Tempo-like receiver instead of a Tempo host. */
  async startCollector(): Promise<void> {
    const config = readFileSync(join(ROOT, 'examples/deploy/collector/tail-sampling.yaml'), 'utf8')
      .replace('endpoint: 0.0.0.0:4318', `endpoint: 127.0.0.1:${PORTS.collectorOtlpHttp}`)
      .replace('endpoint: http://tempo:4318', `endpoint: http://127.0.0.1:${PORTS.tempoOtlpHttp}`);
    if (!config.includes(`127.0.0.1:${PORTS.tempoOtlpHttp}`)) throw new Error('tail-sampling.yaml no longer exports to http://tempo:4318');
    const file = join(this.dir, 'collector.yaml');
    writeFileSync(file, config);
    const r = this.launch('collector', join(BIN, `jaeger-${version('JAEGER')}`), [`--config=${file}`], { TEMPO_TENANT });
    await this.ready(r, 'tail-sampling collector', () => Backends.otlpListening(PORTS.collectorOtlpHttp));
  }

  async startPostgres(): Promise<void> {
    const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)) : [];
    if (versions.length === 0) throw new Error('PostgreSQL is not installed: apt-get install postgresql (.ci/run does this)');
    this.pgBin = `/usr/lib/postgresql/${versions[0]}/bin`;
    const data = join(this.dir, 'pg');
    chmodSync(this.dir, 0o755);
    // initdb refuses to run as root: run it as the postgres user Debian's package creates.
    const asPostgres = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
    const run = (cmd: string, args: string[]) =>
      execFileSync(asPostgres[0] ?? cmd, asPostgres.length ? [...asPostgres.slice(1), cmd, ...args] : args, { stdio: 'pipe' });
    execFileSync('mkdir', ['-p', data]);
    if (asPostgres.length) execFileSync('chown', ['postgres:postgres', data]);
    run(`${this.pgBin}/initdb`, ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
    const r = this.launch('postgres', asPostgres.length ? '/usr/sbin/runuser' : `${this.pgBin}/postgres`, [
      ...(asPostgres.length ? ['-u', 'postgres', '--', `${this.pgBin}/postgres`] : []),
      '-D',
      data,
      '-h',
      '127.0.0.1',
      '-p',
      String(PORTS.postgres),
      '-k',
      data,
    ]);
    await this.ready(r, 'PostgreSQL', async () => {
      execFileSync(`${this.pgBin}/pg_isready`, ['-h', '127.0.0.1', '-p', String(PORTS.postgres)], { stdio: 'ignore' });
      return true;
    });
  }

  async startRedis(): Promise<void> {
    const server = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));
    if (!server) throw new Error('Redis is not installed: apt-get install redis-server (.ci/run does this)');
    const r = this.launch('redis', server, [
      '--bind',
      '127.0.0.1',
      '--port',
      String(PORTS.redis),
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      this.dir,
    ]);
    await this.ready(r, 'Redis', async () => {
      execFileSync('redis-cli', ['-p', String(PORTS.redis), 'ping'], { stdio: 'ignore' });
      return true;
    });
  }

  async startAll(): Promise<void> {
    await Promise.all([this.startJaeger(), this.startPostgres(), this.startRedis()]);
    await this.startTempoLikeReceiver();
    await this.startCollector();
  }

  async stopAll(): Promise<void> {
    for (const r of this.running.reverse()) {
      if (r.child.exitCode === null && r.child.signalCode === null) {
        const exited = new Promise((res) => r.child.once('exit', res));
        r.child.kill('SIGTERM');
        await Promise.race([exited, new Promise((res) => setTimeout(res, 5000))]);
        if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * Polls `check` until it returns a value (a throw counts as "not yet"); after `timeoutMs` fails with the last
   * error, `detail()` and the backends' logs.
   */
  async until<T>(
    what: string,
    check: () => Promise<T | undefined>,
    options: { timeoutMs?: number; intervalMs?: number; detail?: () => string } = {},
  ): Promise<T> {
    const { timeoutMs = 30_000, intervalMs = 500, detail } = options;
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
      try {
        const value = await check();
        if (value !== undefined) return value;
      } catch (error) {
        last = error;
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
    throw new Error(
      `${what}: not found within ${timeoutMs / 1000} s (${String(last ?? 'no match')})${detail ? `; ${detail()}` : ''}\n${this.logs()}`,
    );
  }

  logs(): string {
    return this.running.map((r) => `--- ${r.name}\n${r.log().slice(-3000)}`).join('\n');
  }
}
