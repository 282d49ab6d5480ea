// `icuda run` as a user runs it: a real kernel process over ZeroMQ, no Python involved; its
// executed notebook matches what `jupyter nbconvert --execute` writes (modulo timing), both valid
// per nbformat's validator; failures, --allow-errors and --timeout set the exit code.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { packageRoot } from '../../src/package-info.js';
import { missingClient } from '../support/jupyter.js';
import { waitNoProcessesUnder } from '../support/processes.js';

const icuda = join(packageRoot, 'bin', 'icuda.js');
const venvBin = join(packageRoot, '.venv', 'bin');
const skipJupyter = missingClient();
if (skipJupyter && process.env.CI) throw new Error(`CI must run the nbconvert comparison: ${skipJupyter}`);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `icuda run ARGS` to completion (bounded), collecting its output. */
function icudaRun(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [icuda, 'run', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`icuda run ${args.join(' ')} took over 240 s:\n${stderr}`));
    }, 240_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A notebook of code cells (with optional tags), in the shape Jupyter saves. */
function notebook(cells: Array<{ source: string; tags?: string[] }>): string {
  return JSON.stringify({
    cells: cells.map((c, i) => ({
      cell_type: 'code',
      id: `cell-${i}`,
      execution_count: null,
      metadata: c.tags ? { tags: c.tags } : {},
      outputs: [],
      source: c.source,
    })),
    metadata: { kernelspec: { name: 'icuda', display_name: 'CUDA', language: 'cuda' } },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

/** nbformat's validator on a file; throws with its message when the notebook is invalid. */
function validate(path: string): void {
  execFileSync(
    join(venvBin, 'python'),
    ['-c', 'import sys, nbformat; nbformat.validate(nbformat.read(sys.argv[1], as_version=4)); print("valid")', path],
    { stdio: 'pipe' },
  );
}

/** Cells without timing and with consecutive same-name stream outputs merged (nbclient keeps them apart). */
function comparable(nb: any): unknown {
  return nb.cells.map((cell: any) => {
    const { execution: _execution, ...metadata } = cell.metadata ?? {};
    if (cell.cell_type !== 'code') return { ...cell, metadata };
    const outputs: any[] = [];
    for (const out of cell.outputs) {
      const text = Array.isArray(out.text) ? out.text.join('') : out.text;
      const last = outputs.at(-1);
      if (out.output_type === 'stream' && last?.output_type === 'stream' && last.name === out.name) last.text += text;
      else outputs.push(out.output_type === 'stream' ? { ...out, text } : out);
    }
    return { ...cell, metadata, outputs, execution_count: cell.execution_count };
  });
}

const OK = '#include <cstdio>\nint main() { printf("ok %d\\n", 1); return 0; }\n';
const FAIL = '#include <cstdio>\nint main() { fprintf(stderr, "going down\\n"); return 3; }\n';
const LOOP = '#include <cstdio>\n#include <unistd.h>\nint main() { printf("looping\\n"); for (;;) sleep(1); }\n';

describe('icuda run', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'icuda-run-test-'));
    env = { ...process.env, JUPYTER_DATA_DIR: join(home, 'data'), JUPYTER_RUNTIME_DIR: join(home, 'rt'), TMPDIR: home };
  });
  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  test('executes examples/hello.ipynb as nbconvert --execute does, both valid nbformat', { skip: skipJupyter }, async () => {
    const ours = join(home, 'ours.ipynb');
    const r = await icudaRun([join(packageRoot, 'examples', 'hello.ipynb'), '-o', ours], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Hello from the host!\n/);
    assert.match(r.stdout, /1\/3 steps done\n2\/3 steps done\n3\/3 steps done\n/);
    assert.match(r.stderr, /\[cell 2\/6\] ok in \d+\.\d\d s/);
    assert.match(r.stderr, /\[cell 6\/6\] (ok|failed as allowed \(RuntimeError\)) in/);
    execFileSync(process.execPath, [icuda, 'install', '--user'], { env, stdio: 'pipe' });
    execFileSync(
      join(venvBin, 'jupyter'),
      ['nbconvert', '--to', 'notebook', '--execute', '--output-dir', join(home, 'nbconvert'), join(packageRoot, 'examples', 'hello.ipynb')],
      { env, stdio: 'pipe', timeout: 240_000 },
    );
    const theirs = join(home, 'nbconvert', 'hello.ipynb');
    validate(ours);
    validate(theirs);
    const [a, b] = [JSON.parse(await readFile(ours, 'utf8')), JSON.parse(await readFile(theirs, 'utf8'))];
    assert.deepEqual(comparable(a), comparable(b));
    assert.deepEqual(a.metadata.language_info, b.metadata.language_info);
    assert.deepEqual(Object.keys(a.cells[1].metadata.execution).sort(), Object.keys(b.cells[1].metadata.execution).sort());
  });

  test('every notebook in examples/ runs to the end (no GPU needed) and is valid nbformat', async (t) => {
    const examples = (await readdir(join(packageRoot, 'examples')))
      .filter((f) => f.endsWith('.ipynb') && !f.includes('.nbconvert.'))
      .sort();
    for (const name of examples) {
      await t.test(name, async () => {
        const out = join(home, `example-${name}`);
        const r = await icudaRun([join(packageRoot, 'examples', name), '-o', out], env);
        assert.equal(r.code, 0, `${name}:\n${r.stderr}`);
        if (!skipJupyter) validate(out);
      });
    }
  });

  test('writes NAME.nbconvert.ipynb by default; -o - prints the notebook on stdout', async () => {
    const input = join(home, 'small.ipynb');
    await writeFile(input, notebook([{ source: OK }]));
    const r = await icudaRun([input], env);
    assert.equal(r.code, 0, r.stderr);
    const written = JSON.parse(await readFile(join(home, 'small.nbconvert.ipynb'), 'utf8'));
    assert.deepEqual(written.cells[0].outputs, [{ output_type: 'stream', name: 'stdout', text: ['ok 1\n'] }]);
    assert.equal(written.cells[0].execution_count, 1);
    const piped = await icudaRun([input, '-o', '-'], env);
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(JSON.parse(piped.stdout).cells[0].outputs[0].text[0], 'ok 1\n');
    assert.match(piped.stderr, /ok 1/);
  });

  test('a failing cell exits 1, keeps its error output and stops the run; --allow-errors goes on', async () => {
    const input = join(home, 'fails.ipynb');
    await writeFile(input, notebook([{ source: FAIL }, { source: OK }]));
    const out = join(home, 'fails.out.ipynb');
    const r = await icudaRun([input, '-o', out], env);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /going down/);
    assert.match(r.stderr, /\[cell 1\/2\] failed \(RuntimeError\)/);
    assert.match(r.stderr, /1 not run after the failure/);
    const nb = JSON.parse(await readFile(out, 'utf8'));
    assert.equal(nb.cells[0].outputs.at(-1).output_type, 'error');
    assert.equal(nb.cells[0].outputs.at(-1).ename, 'RuntimeError');
    assert.deepEqual(nb.cells[1].outputs, []);
    if (!skipJupyter) validate(out);

    const allowed = await icudaRun([input, '-o', out, '--allow-errors'], env);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(allowed.stdout, /ok 1/);
    const nb2 = JSON.parse(await readFile(out, 'utf8'));
    assert.deepEqual(
      nb2.cells.map((c: any) => c.execution_count),
      [1, 2],
    );
  });

  test('a cell tagged raises-exception may fail', async () => {
    const input = join(home, 'tagged.ipynb');
    await writeFile(input, notebook([{ source: FAIL, tags: ['raises-exception'] }, { source: OK }]));
    const r = await icudaRun([input, '-o', join(home, 'tagged.out.ipynb')], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /failed as allowed \(RuntimeError\)/);
  });

  test('--timeout interrupts a cell that runs too long and fails the run', async () => {
    const input = join(home, 'loop.ipynb');
    await writeFile(input, notebook([{ source: LOOP }, { source: OK }]));
    const out = join(home, 'loop.out.ipynb');
    const r = await icudaRun([input, '-o', out, '--timeout', '20'], env);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /looping/);
    assert.match(r.stderr, /\[cell 1\/2\] timed out, interrupted/);
    const nb = JSON.parse(await readFile(out, 'utf8'));
    assert.equal(nb.cells[0].outputs.at(-1).output_type, 'error');
  });

  test('Ctrl+C stops the kernel and its cell, and exits 130', async () => {
    const input = join(home, 'ctrl-c.ipynb');
    await writeFile(input, notebook([{ source: LOOP }]));
    const child = spawn(process.execPath, [icuda, 'run', input, '-o', join(home, 'ctrl-c.out.ipynb')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no output within 120 s')), 120_000);
      child.stdout.on('data', (d) => {
        if (String(d).includes('looping')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const code = await new Promise((resolve) => {
      child.once('close', resolve);
      child.kill('SIGINT');
    });
    assert.equal(code, 130, stderr);
    assert.match(stderr, /SIGINT, shutting the kernel down/);
    assert.deepEqual(await waitNoProcessesUnder(home, 10_000), []);
  });

  test('bad arguments fail with one clear line', async () => {
    const r = await icudaRun([], env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /run needs exactly one NOTEBOOK.ipynb/);
    const t = await icudaRun(['x.ipynb', '--timeout', 'soon'], env);
    assert.match(t.stderr, /--timeout must be a positive number of seconds, got "soon"/);
    const missing = await icudaRun(['nope.ipynb'], env);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^icuda: nope\.ipynb: no such file \(check the path/);
  });
});
