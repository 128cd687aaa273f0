import dagre from '@dagrejs/dagre';
import type { RedReport } from './api.js';
import { formatRate } from './format.js';

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface Placed {
  readonly nodes: Array<{ name: string; x: number; y: number; width: number; height: number; errors: number; requests: number }>;
  readonly edges: Array<{
    caller: string;
    callee: string;
    calls: number;
    errors: number;
    points: Array<{ x: number; y: number }>;
    x: number;
    y: number;
  }>;
  readonly width: number;
  readonly height: number;
}

/** Lays the service graph out with dagre (left to right): nodes are services, edges calls between them. */
export function layoutServiceMap(report: RedReport): Placed {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: 'LR', nodesep: 40, ranksep: 120, marginx: 20, marginy: 20 });
  graph.setDefaultEdgeLabel(() => ({}));
  const names = new Set<string>();
  for (const row of report.services) names.add(row.service);
  for (const edge of report.dependencies) names.add(edge.caller).add(edge.callee);
  for (const name of names) graph.setNode(name, { width: Math.max(110, name.length * 8 + 30), height: 44 });
  for (const edge of report.dependencies) graph.setEdge(edge.caller, edge.callee, { width: 110, height: 20, labelpos: 'c' });
  dagre.layout(graph);
  const rows = new Map(report.services.map((r) => [r.service, r]));
  const label = graph.graph() as { width?: number; height?: number };
  return {
    width: label.width ?? 400,
    height: label.height ?? 200,
    nodes: [...names].map((name) => {
      const n = graph.node(name) as Box;
      return {
        name,
        x: n.x,
        y: n.y,
        width: n.width,
        height: n.height,
        errors: rows.get(name)?.errors ?? 0,
        requests: rows.get(name)?.requests ?? 0,
      };
    }),
    edges: report.dependencies.map((d) => {
      const e = graph.edge(d.caller, d.callee) as { points?: Array<{ x: number; y: number }>; x?: number; y?: number };
      return { ...d, points: e.points ?? [], x: e.x ?? 0, y: e.y ?? 0 };
    }),
  };
}

/** The service dependency graph as SVG: call counts and error rates on the edges; errors dashed, marked ⚠ and said in words. */
export function ServiceMap({ report }: { report: RedReport }) {
  if (report.services.length === 0) return <p>No traces yet.</p>;
  const map = layoutServiceMap(report);
  return (
    <svg
      class="service-map"
      role="img"
      aria-label="Service map"
      viewBox={`0 0 ${map.width} ${map.height}`}
      width={map.width}
      height={map.height}
    >
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" class="arrow" />
        </marker>
      </defs>
      {map.edges.map((e) => (
        <g key={`${e.caller}>${e.callee}`} class={`edge${e.errors > 0 ? ' error' : ''}`} data-edge={`${e.caller}>${e.callee}`}>
          <path d={e.points.map((p, i) => `${i === 0 ? 'M' : 'L'} ${p.x} ${p.y}`).join(' ')} marker-end="url(#arrow)" />
          <text x={e.x} y={e.y} text-anchor="middle">
            {e.errors > 0 ? '⚠ ' : ''}
            {e.calls} calls{e.errors > 0 ? ` · ${formatRate(e.errors, e.calls)} errors` : ''}
          </text>
        </g>
      ))}
      {map.nodes.map((n) => (
        <g key={n.name} class={`node${n.errors > 0 ? ' error' : ''}`} data-service={n.name}>
          <rect x={n.x - n.width / 2} y={n.y - n.height / 2} width={n.width} height={n.height} rx="6" />
          <text x={n.x} y={n.y - 3} text-anchor="middle">
            {n.errors > 0 ? '⚠ ' : ''}
            {n.name}
          </text>
          <text x={n.x} y={n.y + 13} text-anchor="middle" class="sub">
            {n.requests} req{n.errors > 0 ? ` · ${n.errors} err` : ''}
          </text>
        </g>
      ))}
    </svg>
  );
}
