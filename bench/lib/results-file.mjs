// Results files of `npm run bench`: one JSON file per run in bench/results/, named
// `<date>-node<major>.json` (`-quick` for smoke runs, which are never rendered). The README and bench/README
// tables are rendered from the newest full run per Node.js major by bench/render-tables.mjs.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

/** Folder of the results files. */
export const RESULTS_DIR = new URL('../results/', import.meta.url);

function currentCommit() {
  try {
    const opts = { cwd: new URL('..', RESULTS_DIR), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] };
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], opts).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'bench'], opts).trim() !== '';
    return dirty ? `${sha}+changes` : sha;
  } catch {
    return 'unknown';
  }
}

/** What identifies a run: Node.js version, CPU, date and the commit measured. */
export function runMeta({ quick = false, date = new Date() } = {}) {
  const cpu = cpus();
  return {
    node: process.version,
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    date: date.toISOString(),
    commit: currentCommit(),
    quick,
  };
}

/** Writes one run (`meta` from runMeta, `benches` maps a benchmark name to its rows) and returns the file path. */
export function writeResults(meta, benches) {
  const major = meta.node.replace(/^v/, '').split('.')[0];
  const name = `${meta.date.slice(0, 10)}-node${major}${meta.quick ? '-quick' : ''}.json`;
  const file = join(RESULTS_DIR.pathname, name);
  writeFileSync(file, `${JSON.stringify({ ...meta, benches }, null, 2)}\n`);
  return file;
}

/** The newest full (not quick) run per Node.js major, newest major first. */
export function latestRuns(dir = RESULTS_DIR.pathname) {
  const byMajor = new Map();
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    const run = { ...JSON.parse(readFileSync(join(dir, name), 'utf8')), file: name };
    if (run.quick) continue;
    const major = Number(run.node.replace(/^v/, '').split('.')[0]);
    const held = byMajor.get(major);
    if (!held || held.date <= run.date) byMajor.set(major, run);
  }
  return [...byMajor.entries()].sort((a, b) => b[0] - a[0]).map(([, run]) => run);
}
