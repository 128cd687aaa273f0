// Every TypeScript snippet of README.md compiles as written: it imports everything it uses from tracewire, its
// subpaths and the OpenTelemetry API. Only the app's own objects the snippets talk about (a database, a payment client,
// a Kafka producer, ...) are declared here; nothing the snippet should import is.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/spawn-app.js';

/** The app's own objects and functions the snippets use, as an app would have them. */
const APP = `
declare const id: string;
declare const db: { users: { find(id: string): Promise<{ id: string; name: string }> } };
declare const order: { id: string; items: number[] };
declare function price(order: { id: string }): number;
declare const payments: { charge(orderId: string, cents: number): Promise<{ ok: boolean }> };
declare const producer: { send(record: { topic: string; messages: Array<{ value: string; headers: Record<string, string> }> }): Promise<void> };
declare const topic: string;
declare const value: string;
declare const message: { headers: Record<string, Buffer | string | undefined> };
declare function handle(): Promise<void>;
`;

/** The ```ts blocks of README.md, with the line each starts on. */
function snippets(): Array<{ line: number; code: string }> {
  const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n');
  const found: Array<{ line: number; code: string }> = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```ts') continue;
    const start = i + 1;
    while (i + 1 < lines.length && lines[i + 1]!.trim() !== '```') i++;
    found.push({ line: start + 1, code: lines.slice(start, i + 1).join('\n') });
    i++;
  }
  return found;
}

/** Type-checks the snippets as ES modules of an app that installed tracewire (resolved to its sources here). */
function typeCheck(files: ReadonlyMap<string, string>): string[] {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts'],
    types: ['node'],
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    baseUrl: ROOT,
    paths: { tracewire: ['src/index.ts'], 'tracewire/pino': ['src/logs/pino-mixin.ts'], 'tracewire/winston': ['src/logs/trace-format.ts'] },
  };
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (name) => files.has(name) || fileExists.call(host, name);
  host.readFile = (name) => files.get(name) ?? readFile.call(host, name);
  host.getSourceFile = (name, language, ...rest) =>
    files.has(name) ? ts.createSourceFile(name, files.get(name)!, language, true) : getSourceFile.call(host, name, language, ...rest);
  const program = ts.createProgram([...files.keys()], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file === undefined || files.has(d.file.fileName))
    .map(
      (d) =>
        `${d.file ? `${d.file.fileName.slice(ROOT.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
    );
}

describe('README snippets', () => {
  const blocks = snippets();
  let errors: string[] = [];
  beforeAll(() => {
    const files = new Map<string, string>([[join(ROOT, 'readme-app.d.ts'), APP]]);
    // Each snippet is its own module (named after its README line), so it must import what it uses.
    for (const { line, code } of blocks) files.set(join(ROOT, `README.md-line-${line}.ts`), `${code}\nexport {};\n`);
    // A snippet as the withSpan one was, type-checked with them (one program for all: it takes seconds).
    files.set(
      join(ROOT, 'negative.ts'),
      "import { withSpan } from 'tracewire';\nwithSpan('x', { kind: SpanKind.INTERNAL }, () => 1);\nexport {};\n",
    );
    errors = typeCheck(files);
  }, 60_000);

  it('every ```ts snippet type-checks as written, with its own imports', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(6);
    expect(errors.filter((e) => !e.startsWith('negative.ts'))).toEqual([]);
  });

  it('links resolve on the registry page: no relative link to a file the npm package does not ship', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const { files: shipped } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    const targets = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
    expect(targets.length).toBeGreaterThan(0);
    const relative = targets.filter((t) => !/^(https?:|mailto:|#)/.test(t));
    expect(relative.filter((t) => !shipped.some((f) => t === f || t.startsWith(`${f}/`) || t.startsWith(`./${f}`)))).toEqual([]);
  });

  it('a snippet that uses an export without importing it is caught (the check can fail)', () => {
    expect(errors.filter((e) => e.startsWith('negative.ts'))).toEqual(["negative.ts:2: Cannot find name 'SpanKind'."]);
  });
});
