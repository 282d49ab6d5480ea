#!/usr/bin/env node
// Session cell figures (BENCHMARKS.md, "Session cells"): drives src/session directly (no Jupyter)
// with the real nvcc and the real runner. Run after `npm run build`:
//
//   node bench/session.mjs               re-run round trip, compile ratio, growth with history
//   node bench/session.mjs --memory 200  also the runner's memory after 200 cells (minutes)
//   node bench/session.mjs --repeat 5 --trips 200
//   node bench/session.mjs --bench       only %bench's overhead: a batch's round trip, a repetition's cost
//
// Compiles are cold (no compile cache); the runner is built in a temp cache dir.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const load = (path) => import(pathToFileURL(join(root, 'dist', 'src', path)).href);
const { Session } = await load('session/session.js');
const { splitCell, partsOf } = await load('session/splitter.js');
const { planUnit } = await load('session/generate.js');
const { SessionState } = await load('session/state.js');
const { buildUnit } = await load('session/unit-build.js');
const { cellFile, compileCell } = await load('engine/compile/compiler.js');
const { startReaper } = await load('engine/run/reaper.js');
const { createScratch } = await load('engine/scratch.js');
const { findToolchain } = await load('engine/toolchain/toolchain.js');
const { silentLogger } = await load('log.js');
const { loadSettings, programLimits, toolPlaces } = await load('settings/settings.js');

const option = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const REPEAT = option('--repeat', 3);
const TRIPS = option('--trips', 200);
const MEMORY_CELLS = option('--memory', 0);
const BENCH_ONLY = process.argv.includes('--bench');

const settings = loadSettings();
const found = await findToolchain(toolPlaces(settings), process.env);
if (!found.found) throw new Error('nvcc not found');
const { nvcc, version: nvccVersion } = found.toolchain;
const tmp = mkdtempSync(join(os.tmpdir(), 'icuda-session-bench-'));
const env = { ...process.env, ICUDA_CACHE_DIR: join(tmp, 'cache') };
const log = silentLogger();
const reaper = startReaper(log);
const scratch = createScratch({ tmpRoot: tmp });
const signal = new AbortController().signal;
const quiet = { stream() {}, display() {}, updateDisplay() {}, clearOutput() {}, async flush() {} };
const tools = { nvcc, nvccVersion, env, reaper, scratch, dirs: [], log, limits: programLimits(settings), runnerDir: join(tmp, 'cache') };

/** Median of numbers. */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** The p-th percentile. */
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
/** Milliseconds `fn` takes. */
const timed = async (fn) => {
  const started = process.hrtime.bigint();
  const result = await fn();
  return [Number(process.hrtime.bigint() - started) / 1e6, result];
};

const SAXPY = `#include <cstdio>
__global__ void saxpy(int n, float a, const float *x, float *y) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = a * x[i] + y[i];
}
`;
const STATEMENTS = `float *x = nullptr, *y = nullptr;
cudaMalloc(&x, 1024 * sizeof(float));
cudaMalloc(&y, 1024 * sizeof(float));
saxpy<<<4, 256>>>(1024, 2.0f, x, y);
printf("%s\\n", cudaGetErrorString(cudaDeviceSynchronize()));`;

/** A cell of definitions for the history: a struct, a device function, a kernel, a host function, a variable. */
const historyCell = (i) => `struct S${i} { int a; float b; };
__device__ float scale${i}(float v) { return v * ${i}; }
__global__ void kernel${i}(float *p, int n) { int k = threadIdx.x; if (k < n) p[k] = scale${i}(p[k]); }
int host${i}(S${i} s) { return s.a + ${i}; }
int value${i} = ${i};`;

/** Cold nvcc time of one whole program (exactly as the kernel compiles a cell). */
async function compileProgram(source) {
  const dir = await scratch.createRun();
  try {
    writeFileSync(join(dir, 'cell.cu'), cellFile(source, 1));
    const [ms, result] = await timed(() => compileCell({ nvcc, dir, flags: [], executionCount: 1, env, signal, reaper }));
    if (result.status !== 'ok') throw new Error(JSON.stringify(result));
    return ms;
  } finally {
    await scratch.removeRun(dir);
  }
}

/** Cold nvcc time of one session unit for `source` after `history` (planned, not run). */
async function compileSession(source, history) {
  const state = new SessionState();
  let id = 1;
  for (const [i, cell] of history.entries()) {
    const syntax = await splitCell(cell, (name) => state.kindOf(name));
    for (const part of partsOf(syntax.chunks)) state.commit(planUnit(state, part, i + 1, id++, syntax.refs).record);
  }
  const syntax = await splitCell(source, (name) => state.kindOf(name));
  const [plan] = partsOf(syntax.chunks).map((part) => planUnit(state, part, history.length + 1, id++, syntax.refs));
  const [ms, built] = await timed(() => buildUnit(tools, plan, { flags: [], executionCount: history.length + 1, signal, output: quiet }));
  if (built.status !== 'ok') throw new Error(built.traceback.join('\n'));
  await scratch.removeRun(built.dir);
  return { ms, lines: plan.source.split('\n').length };
}

/** Round trip of re-running an unchanged statements cell, and the in-process call it stands for. */
async function rerunFigures() {
  const session = new Session({ ...tools, nvcc, nvccVersion });
  const run = (source, n) => session.runCell(source, { executionCount: n, flags: [], signal, output: quiet });
  await run('int counter = 0;\nint bump() { return ++counter; }', 1);
  const cell = 'counter += bump();';
  await run(cell, 2);
  const trips = [];
  for (let i = 0; i < TRIPS; i++) trips.push((await timed(() => run(cell, 3 + i)))[0]);
  const planning = [];
  for (let i = 0; i < TRIPS; i++) {
    planning.push(
      (
        await timed(async () => {
          const syntax = await splitCell(cell, (name) => session.state.kindOf(name));
          partsOf(syntax.chunks).map((part) => planUnit(session.state, part, 9, 999, syntax.refs));
        })
      )[0],
    );
  }
  await session.close();
  return { median: median(trips), p95: pct(trips, 95), planning: median(planning), inProcessNs: inProcessCall() };
}

/** ns per call of the same statements through a function pointer in one process (no runner). */
function inProcessCall() {
  const dir = mkdtempSync(join(tmp, 'inproc-'));
  writeFileSync(
    join(dir, 'call.cpp'),
    `#include <chrono>
#include <cstdio>
int counter = 0;
int bump() { return ++counter; }
extern "C" __attribute__((noinline)) void cell() { counter += bump(); }
int main() {
  void (*volatile fn)() = cell;
  auto t = std::chrono::steady_clock::now();
  for (int i = 0; i < 10000000; i++) fn();
  double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t).count() / 1e7;
  printf("%.2f\\n", ns);
}
`,
  );
  execFileSync(nvcc, ['-O2', '-o', join(dir, 'call'), join(dir, 'call.cpp')]);
  return Number(execFileSync(join(dir, 'call')).toString().trim());
}

/** %bench's own cost on a session cell of one cheap statement: the round trip of a batch of one
 * repetition (kernel -> runner -> kernel), and the wall time per repetition in batches of 100,
 * against the host time the runner measured for each. */
async function benchFigures() {
  const session = new Session(tools);
  const cell = { executionCount: 1, flags: [], signal, output: quiet };
  await session.runCell('int ticks = 0;', cell);
  const figures = {};
  const outcome = await session.bench('ticks += 1;', { ...cell, executionCount: 2 }, { cold: false }, async (bench) => {
    const one = [];
    for (let i = 0; i < TRIPS; i++) one.push((await timed(() => bench.batch(1, false)))[0]);
    const [ms, batch] = await timed(() => bench.batch(100, false));
    figures.gpu = batch.gpu !== undefined;
    figures.roundTrip = median(one);
    figures.perRep = ms / 100;
    figures.hostPerRep = median(batch.host);
    return { status: 'ok' };
  });
  await session.close();
  if (outcome.status !== 'ok') throw new Error(JSON.stringify(outcome));
  return figures;
}

/** The runner's resident memory after `count` session cells of definitions and statements. */
async function memoryFigures(count) {
  const session = new Session(tools);
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${session.runnerPid}/status`, 'utf8'))[1]) / 1024;
  const samples = [];
  for (let i = 1; i <= count; i++) {
    const outcome = await session.runCell(`int v${i} = ${i};\nint f${i}() { return v${i} * 2; }\nf${i}();`, {
      executionCount: i,
      flags: [],
      signal,
      output: quiet,
    });
    if (outcome.status !== 'ok') throw new Error(JSON.stringify(outcome));
    if (i === 1 || i % 50 === 0 || i === count) samples.push([i, rss()]);
  }
  await session.close();
  return samples;
}

try {
  const bench = await benchFigures();
  console.log(
    `%bench on a session cell (${bench.gpu ? 'GPU events' : 'no GPU: host times'}): a batch of 1 repetition ${bench.roundTrip.toFixed(2)} ms round trip ` +
      `(median of ${TRIPS}); in batches of 100, ${(bench.perRep * 1000).toFixed(1)} µs per repetition, of which the runner timed ${(bench.hostPerRep * 1000).toFixed(2)} µs`,
  );
  if (BENCH_ONLY) process.exit(0);
  const rerun = await rerunFigures();
  console.log(`re-run of an unchanged statements cell: median ${rerun.median.toFixed(2)} ms, p95 ${rerun.p95.toFixed(2)} ms over ${TRIPS}`);
  console.log(`  of which parse + plan in the kernel: ${rerun.planning.toFixed(2)} ms; the same call in-process: ${rerun.inProcessNs} ns`);
  const program = SAXPY + `int main() {\n${STATEMENTS}\nreturn 0;\n}\n`;
  const cell = SAXPY + STATEMENTS;
  for (const history of [0, 10, 50]) {
    const cells = Array.from({ length: history }, (_, i) => historyCell(i + 1));
    const some = `printf("%d %d\\n", host1(S1{1, 2}), value${history});\nkernel${history}<<<1, 32>>>(y, 32);`;
    const every = cells
      .map((_, i) => `total += host${i + 1}(S${i + 1}{1, 2}) + value${i + 1};\nkernel${i + 1}<<<1, 32>>>(y, 32);`)
      .join('\n');
    const variants = { none: cell, some: `${cell}\n${some}`, all: `${cell}\n{\nint total = 0;\n${every}\n}` };
    const times = { whole: [], none: [], some: [], all: [] };
    const lines = {};
    for (let r = 0; r < REPEAT; r++) {
      times.whole.push(await compileProgram(program));
      for (const [name, source] of Object.entries(variants)) {
        if (history === 0 && name !== 'none') continue;
        const { ms, lines: n } = await compileSession(source, cells);
        times[name].push(ms);
        lines[name] = n;
      }
    }
    const whole = median(times.whole);
    const show = (name, what) =>
      `${what} ${median(times[name]).toFixed(0)} ms (${(median(times[name]) / whole).toFixed(2)}x, ${lines[name]} lines)`;
    const parts = [show('none', 'session cell using none of them')];
    if (history > 0) parts.push(show('some', "using cell 1's and the last cell's"), show('all', 'using all of them'));
    console.log(`compile after ${history} cells of definitions: whole program ${whole.toFixed(0)} ms; ${parts.join('; ')}`);
  }
  if (MEMORY_CELLS > 0) {
    for (const [cells, mib] of await memoryFigures(MEMORY_CELLS))
      console.log(`runner memory after ${cells} cells: ${mib.toFixed(1)} MiB RSS`);
  }
} finally {
  reaper.close();
  await scratch.removeAll();
  rmSync(tmp, { recursive: true, force: true });
}
