// The viewer's flags of `tracewire dev`: on by default, --no-ui, --open, --max-traces, --jaeger-ui.
import { describe, expect, it } from 'vitest';
import { parseDevArgs } from '../../../src/cli/dev/parse-dev-args.js';

describe('tracewire dev arguments: the viewer', () => {
  it('serves the viewer by default, keeping 1000 traces, and does not open a browser', () => {
    const { args, problems } = parseDevArgs([]);
    expect(problems).toEqual([]);
    expect(args).toMatchObject({ ui: true, open: false, maxTraces: 1000 });
    expect(args.jaegerUi).toBeUndefined();
  });

  it('takes --no-ui, --open, --max-traces and --jaeger-ui', () => {
    const { args, problems } = parseDevArgs(['--no-ui', '--open', '--max-traces', '50', '--jaeger-ui', 'http://localhost:16686']);
    expect(problems).toEqual([]);
    expect(args).toMatchObject({ ui: false, open: true, maxTraces: 50, jaegerUi: 'http://localhost:16686' });
  });

  it('names a bad --max-traces or --jaeger-ui, the URL without its password', () => {
    const { problems } = parseDevArgs(['--max-traces', '0', '--jaeger-ui', 'ftp://user:secret@host']);
    expect(problems).toEqual([
      '--max-traces 0: expected a number of traces, at least 1',
      expect.stringMatching(/^--jaeger-ui ftp:\/\/\*\*\*@host\/?: expected an http\(s\) URL$/),
    ]);
    expect(problems.join('\n')).not.toContain('secret');
  });
});
