import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const script = fileURLToPath(new URL('../../bench/render-tables.mjs', import.meta.url));

interface RenderTables {
  runsToRender(): Array<{ benches: Record<string, Array<{ tracewire: { median: number } }>> }>;
  renderInto(text: string, runs: unknown[]): string;
}

describe('benchmark tables', () => {
  it('README and bench/README tables are the rendering of the newest results files (never edited by hand)', () => {
    const result = spawnSync(process.execPath, [script, '--check'], { cwd: root, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('a figure that differs from the results file is caught', async () => {
    const { runsToRender, renderInto } = (await import(script)) as RenderTables;
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const runs = runsToRender();
    expect(renderInto(readme, runs)).toBe(readme);
    const changed = structuredClone(runs);
    const first = Object.values(changed[0]!.benches)[0]![0]!;
    first.tracewire.median *= 2;
    expect(renderInto(readme, changed)).not.toBe(readme);
  });

  it('the table shows the Node.js version, date and commit of each run it renders', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf('<!-- bench-table:bars:start -->'), readme.indexOf('<!-- bench-table:bars:end -->'));
    expect(table).toMatch(/Node\.js 24\.\d+\.\d+, \d{4}-\d\d-\d\d, commit \w+/);
  });
});
