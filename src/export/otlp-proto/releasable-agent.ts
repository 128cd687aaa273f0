import type { Agent } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ExportControlState } from './bounded-retry-transport.js';

type AgentFactory = (protocol: string) => Agent | Promise<Agent>;

/** Does not keep the process alive when the exporter is told to let it exit (a no-op for streams without unref). */
function release(socket: Duplex | null | undefined, state: ExportControlState): void {
  if (socket != null && state.control.letProcessExit) (socket as Duplex & { unref?: () => void }).unref?.();
}

/** Releases the sockets `agent` is using for requests now (Node.js already releases its idle keep-alive ones). */
function releaseInUse(agent: Agent, state: ExportControlState): void {
  for (const sockets of Object.values(agent.sockets)) for (const socket of sockets ?? []) release(socket, state);
}

/**
 * Wraps the stock agent factory: the agent's sockets do not keep the process alive while `state.control` lets the
 * process exit (Node.js already releases idle keep-alive sockets; this releases the ones carrying an export too,
 * including those already in use when the control changes). The request's own timeout still ends a request to a
 * collector that never answers. @internal
 */
export function releasableAgentFactory(factory: AgentFactory, state: ExportControlState): (protocol: string) => Promise<Agent> {
  return async (protocol) => {
    const agent = await factory(protocol);
    const previous = state.onChange;
    state.onChange = (control) => {
      previous?.(control);
      releaseInUse(agent, state);
    };
    if (state.control.letProcessExit) releaseInUse(agent, state);
    const createConnection = agent.createConnection;
    const reuseSocket = agent.reuseSocket;
    agent.createConnection = function (this: Agent, ...args: Parameters<Agent['createConnection']>) {
      const socket = createConnection.apply(this, args);
      release(socket, state);
      return socket;
    };
    agent.reuseSocket = function (this: Agent, socket: Duplex, request: Parameters<Agent['reuseSocket']>[1]) {
      reuseSocket.call(this, socket, request);
      release(socket, state);
    };
    return agent;
  };
}
