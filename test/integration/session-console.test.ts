// The terminal REPL: `jupyter console --kernel icuda` driven through a pty (pexpect), typing one
// top-level item per Enter as a user would: `#include <cstdio>` alone is a cell, a function typed
// over two lines waits for its closing brace, a line without its `;` waits for a blank line, and a
// compile error reads without scratch paths. When the console exits, its kernel and runner are gone.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import { packageRoot } from '../../src/package-info.js';
import { missingClient } from '../support/jupyter.js';
import { waitNoProcessesUnder } from '../support/processes.js';
import { scratchDirsUnder } from '../support/scratch.js';

const python = process.env.ICUDA_TEST_PYTHON ?? join(packageRoot, '.venv', 'bin', 'python');
const jupyter = join(packageRoot, '.venv', 'bin', 'jupyter');

/** Why the console test cannot run here, if it cannot. */
function missingConsole(): string | undefined {
  const client = missingClient();
  if (client) return client;
  if (!existsSync(jupyter)) return `no jupyter in ${jupyter}`;
  try {
    execFileSync(python, ['-c', 'import pexpect, jupyter_console'], { stdio: 'ignore' });
  } catch {
    return 'pexpect or jupyter_console is not importable by the venv Python';
  }
  return undefined;
}

/** Types each step's line into the console, waits for the next prompt, and prints the transcript
 * (ANSI sequences removed) as JSON: one entry per step with what appeared after it. */
const DRIVER = String.raw`
import json, os, re, sys, time, pexpect
jupyter, steps = sys.argv[1], json.loads(sys.argv[2])
ansi = re.compile(r'\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][A-Z0-9]|\x1b[=>]|\r')
child = pexpect.spawn(jupyter, ['console', '--kernel', 'icuda', '--ZMQTerminalInteractiveShell.confirm_exit=False'],
                      encoding='utf-8', timeout=5, dimensions=(50, 200), env=dict(os.environ, TERM='xterm', PROMPT_TOOLKIT_NO_CPR='1'))
seen = ''
def read_until(pattern, limit):
    global seen
    start, deadline = len(seen), time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            seen += ansi.sub('', child.read_nonblocking(65536, timeout=0.2))
        except pexpect.TIMEOUT:
            pass
        except pexpect.EOF:
            break
        if re.search(pattern, seen[start:]):
            return seen[start:]
    raise SystemExit(json.dumps({'error': 'no ' + pattern, 'seen': seen[-4000:]}))
read_until(r'In \[1\]: ', 60)
out = []
for line, wait in steps:
    child.send(line + '\r')
    out.append(read_until(wait, 180))
child.sendeof()
if child.expect([pexpect.EOF, r'want to exit'], timeout=60) == 1:
    child.send('y\r')
    child.expect(pexpect.EOF, timeout=60)
print(json.dumps({'steps': out}))
`;

/** Each line typed, and what must appear before the next is typed. */
const STEPS: [string, string][] = [
  ['#include <cstdio>', 'In \\[2\\]: '],
  ['int counter = 41;', 'In \\[3\\]: '],
  ['int twice(int x) {', '\\.\\.\\.: '],
  ['return 2 * x; }', 'In \\[4\\]: '],
  ['printf("%d %d\\n", counter + 1, twice(21));', 'In \\[5\\]: '],
  ['int broken = undefined_name;', 'In \\[6\\]: '],
  ['int x = 3', '\\.\\.\\.: '],
  ['', 'In \\[7\\]: '],
];

describe('jupyter console', { skip: missingConsole() }, () => {
  test('one top-level item per Enter; errors without scratch paths; nothing left after exit', async () => {
    const home = await mkdtemp(join(tmpdir(), 'icuda-console-'));
    const tmp = join(home, 'tmp');
    await mkdir(tmp);
    const env = {
      ...process.env,
      JUPYTER_DATA_DIR: join(home, 'data'),
      JUPYTER_RUNTIME_DIR: join(home, 'runtime'),
      TMPDIR: tmp,
      ICUDA_CACHE_DIR: join(home, 'cache'),
      ICUDA_HISTORY: 'off',
    };
    try {
      execFileSync(process.execPath, [join(packageRoot, 'bin', 'icuda.js'), 'install', '--user'], { env, stdio: 'ignore' });
      await writeFile(join(home, 'driver.py'), DRIVER);
      const run = promisify(execFile);
      const { stdout } = await run(python, [join(home, 'driver.py'), jupyter, JSON.stringify(STEPS)], { env, timeout: 540_000 }).catch(
        (error: { stdout?: string; stderr?: string }) => ({ stdout: error.stdout ?? '', stderr: error.stderr }),
      );
      const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { steps?: string[]; error?: string; seen?: string };
      assert.ok(result.steps, `the console driver stopped: ${result.error}\n${result.seen}`);
      const after = (i: number) => result.steps![i];
      assert.doesNotMatch(after(0) + after(1), /Error/, 'an include alone and a variable alone are cells that run');
      assert.doesNotMatch(after(2), /In \[4\]/, 'an open brace waits for more');
      assert.match(after(4), /42 42/);
      assert.match(after(5), /cell\[5\]\(1\): error: identifier "undefined_name" is undefined/);
      assert.doesNotMatch(after(6), /In \[7\]/, 'a line without its end waits');
      assert.match(after(7), /expected a ";"/, 'a blank line sends it as it is');
      for (const text of result.steps) assert.doesNotMatch(text, /tmpxft|\/runs\/|icuda-\d+-/);
      assert.deepEqual(await waitNoProcessesUnder(tmp, 10_000), []);
      assert.deepEqual(await scratchDirsUnder(tmp, 10_000), []);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
