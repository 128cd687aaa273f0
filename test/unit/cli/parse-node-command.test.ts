// `tracewire doctor -- node …`: the script and the register hook are found in the command lines users type.
import { describe, expect, it } from 'vitest';
import { parseNodeCommand } from '../../../src/cli/doctor/parse-node-command.js';

describe('parseNodeCommand', () => {
  it.each([
    [['node', '--import', 'tracewire/register', 'app.mjs'], 'app.mjs', [['--import', 'tracewire/register']]],
    [['/usr/local/bin/node', '--import=tracewire/register', 'app.mjs', '--port', '3000'], 'app.mjs', [['--import', 'tracewire/register']]],
    [
      ['node', '-r', 'tracewire/register', '--enable-source-maps', 'dist/server.js'],
      'dist/server.js',
      [['--require', 'tracewire/register']],
    ],
    [
      ['--env-file', '.env', '--require=dotenv/config', '--import', 'tracewire/register', 'app.mjs'],
      'app.mjs',
      [
        ['--require', 'dotenv/config'],
        ['--import', 'tracewire/register'],
      ],
    ],
    [['node', '--title', 'api', '--', '-weird-name.js'], '-weird-name.js', []],
    [['node', 'server.mjs', '--import', 'tracewire/register'], 'server.mjs', []],
  ])('%j', (argv, script, preloads) => {
    expect(parseNodeCommand(argv)).toEqual({ script, preloads: preloads.map(([flag, value]) => ({ flag, value })) });
  });

  it('finds no script for inline code, stdin or options only', () => {
    expect(parseNodeCommand(['node', '--import', 'tracewire/register', '-e', 'run()']).script).toBeUndefined();
    expect(parseNodeCommand(['node', '-p', '1']).script).toBeUndefined();
    expect(parseNodeCommand(['node', '-']).script).toBeUndefined();
    expect(parseNodeCommand(['node', '--import']).script).toBeUndefined();
    expect(parseNodeCommand([]).script).toBeUndefined();
  });
});
