// A small closed-loop HTTP load generator for tests: `concurrency` keep-alive connections sending GETs until stopped.
import { Agent, request } from 'node:http';

export interface Load {
  /** Responses by status code (0: the request failed). */
  readonly statuses: Map<number, number>;
  /** Stops sending and resolves once every request in flight has settled. */
  stop(): Promise<void>;
}

export function startLoad(baseUrl: string, path: () => string, concurrency: number): Load {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const statuses = new Map<number, number>();
  let running = true;
  const once = (): Promise<void> =>
    new Promise((resolve) => {
      const req = request(`${baseUrl}${path()}`, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          statuses.set(res.statusCode ?? 0, (statuses.get(res.statusCode ?? 0) ?? 0) + 1);
          resolve();
        });
      });
      req.on('error', () => {
        statuses.set(0, (statuses.get(0) ?? 0) + 1);
        resolve();
      });
      req.end();
    });
  const loop = async (): Promise<void> => {
    while (running) await once();
  };
  const loops = Array.from({ length: concurrency }, loop);
  return {
    statuses,
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
    },
  };
}
