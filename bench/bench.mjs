#!/usr/bin/env node
// `npm run bench`: icuda vs ipykernel side by side. Installs the built icuda's kernelspec in a
// private Jupyter data dir, runs bench/driver.py (jupyter_client drives both kernels), prints a
// table of medians and ratios, each with the baseline measured in the same run (ipykernel, the
// floor kernel bench/floor-kernel.cjs, a direct fork+exec), and writes bench/results.json.
// Options pass through to the driver: --repeat N, --trips N, --kernels N, --starts N,
// --pause S, --big (1 GB writer), --only startup,hello,cold,trips,session,flood,shared.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const python = process.env.ICUDA_BENCH_PYTHON ?? join(root, '.venv', 'bin', 'python');
const home = mkdtempSync(join(os.tmpdir(), 'icuda-bench-jupyter-'));
const env = { ...process.env, JUPYTER_DATA_DIR: join(home, 'data'), JUPYTER_RUNTIME_DIR: join(home, 'runtime') };

/** Seconds as ms with one decimal. */
const ms = (s) => (s == null ? '-' : `${(s * 1000).toFixed(1)} ms`);
/** a / b as "0.12x". */
const ratio = (a, b) => (a == null || b == null ? '-' : `${(a / b).toFixed(2)}x`);
/** a - b as "+1.2 ms". */
const over = (a, b) => (a == null || b == null ? '-' : `${a >= b ? '+' : ''}${((a - b) * 1000).toFixed(1)} ms`);
/** A [min, max] pair as "min-max ms". */
const range = (pair) => (pair ? `${(pair[0] * 1000).toFixed(0)}-${(pair[1] * 1000).toFixed(0)} ms` : '-');

/** 1. The hello cell, first run and re-run. */
function helloRows(r) {
  if (!r.hello) return [];
  const h = r.hello;
  return [
    [
      '1. hello, first run',
      ms(h.icuda_first),
      ms(h.ipykernel_first),
      ratio(h.icuda_first, h.ipykernel_first),
      'icuda vs a Python cell running nvcc',
    ],
    ['1. hello, re-run', ms(h.icuda_rerun), ms(h.ipykernel_rerun), ratio(h.icuda_rerun, h.ipykernel_rerun), 'cache hit vs recompile'],
  ];
}

/** 2. A cold compile against nvcc. */
function coldRows(r) {
  if (!r.cold_compile) return [];
  const c = r.cold_compile;
  return [
    [
      '2. cold compile vs nvcc, same flags',
      ms(c.icuda_nocache),
      ms(c.nvcc_same_flags),
      ratio(c.icuda_nocache, c.nvcc_same_flags),
      'goal <= 1.05x',
    ],
    [
      '2. cold compile vs plain `nvcc x.cu`',
      ms(c.icuda_nocache),
      ms(c.nvcc_plain),
      ratio(c.icuda_nocache, c.nvcc_plain),
      'icuda defaults vs nvcc defaults',
    ],
  ];
}

/** 3. Start: spawn to the first kernel_info_reply, against ipykernel and the floor. */
function startupRows(r) {
  if (!r.startup) return [];
  const s = r.startup;
  const spread = r.startup_spread;
  const ready = r.startup_wait_for_ready ?? {};
  return [
    [
      '3. spawn to first kernel_info_reply',
      ms(s.icuda),
      ms(s.ipykernel),
      ratio(s.icuda, s.ipykernel),
      `goal <= 0.34x; spread icuda ${range(spread.icuda)}, ipykernel ${range(spread.ipykernel)}`,
    ],
    [
      '3. the floor (Node + zeromq, kernel_info only)',
      ms(s.floor),
      ms(s.ipykernel),
      ratio(s.floor, s.ipykernel),
      `icuda ${over(s.icuda, s.floor)} above it; spread ${range(spread.floor)}`,
    ],
    [
      '3. jupyter_client start + wait_for_ready',
      ms(ready.icuda),
      ms(ready.ipykernel),
      ratio(ready.icuda, ready.ipykernel),
      'includes its 0.2 s of iopub silence',
    ],
  ];
}

/** 4. Round trips: kernel_info, and a cached empty program against fork+exec of its binary. */
function tripRows(r) {
  if (!r.round_trip) return [];
  const t = r.round_trip;
  const spread = r.round_trip_spread;
  const cached = (mode, words) => [
    `4. cached empty program, ${words}`,
    ms(t[`icuda_cached_empty_${mode}`]),
    ms(t[`fork_exec_binary_${mode}`]),
    over(t[`icuda_cached_empty_${mode}`], t[`fork_exec_binary_${mode}`]),
    `vs fork+exec of the binary, same loop; goal within 5 ms; spread ${range(spread[`icuda_cached_empty_${mode}`])}`,
  ];
  return [
    [
      '4. kernel_info round trip',
      ms(t.icuda_kernel_info),
      ms(t.ipykernel_kernel_info),
      ratio(t.icuda_kernel_info, t.ipykernel_kernel_info),
      '',
    ],
    [
      '4. empty cell (no program), paced',
      ms(t.icuda_empty_cell),
      ms(t.fork_exec_binary_paced),
      over(t.icuda_empty_cell, t.fork_exec_binary_paced),
      'the protocol part of a round trip through jupyter_client',
    ],
    cached('paced', 'paced'),
    cached('back_to_back', 'back to back'),
    [
      '4. cached empty program vs ipykernel `pass`',
      ms(t.icuda_cached_empty_paced),
      ms(t.ipykernel_pass),
      ratio(t.icuda_cached_empty_paced, t.ipykernel_pass),
      '',
    ],
  ];
}

/** Session cells: an unchanged statements cell re-run, against the same work as a cached program. */
function sessionRows(r) {
  if (!r.session) return [];
  const t = r.session;
  const spread = r.session_spread;
  return [
    [
      'session: statements cell re-run',
      ms(t.session_rerun),
      ms(t.program_cached),
      ratio(t.session_rerun, t.program_cached),
      `vs the same work as a cached whole program, paced; spread ${range(spread.session_rerun)} vs ${range(spread.program_cached)}`,
    ],
    [
      'session: re-run over an empty cell',
      ms(t.session_rerun),
      ms(t.empty_cell),
      over(t.session_rerun, t.empty_cell),
      'what the session adds to the protocol; goal <= 2 ms over the call itself',
    ],
  ];
}

/** 5. Output floods: throughput and the kernel's peak RSS. */
function floodRows(r) {
  return Object.entries(r.flood ?? {}).map(([size, f]) => [
    `5. ${size} writer`,
    `${f.MBps.toFixed(0)} MB/s`,
    `${f.peak_rss_MiB.toFixed(0)} MiB RSS`,
    '-',
    `goal >= 100 MB/s, RSS < 200 MB; ${(f.delivered_bytes / 1e6).toFixed(0)} MB delivered`,
  ]);
}

/** 6. Several kernels, one cache. */
function sharedRows(r) {
  if (!r.shared_cache) return [];
  const c = r.shared_cache;
  return [
    [
      `6. ${c.kernels} kernels, one cache: same new cell`,
      ms(c.cold_wall),
      ms(c.warm_wall),
      ratio(c.warm_wall, c.cold_wall),
      `cold wall vs warm wall; ${c.entries_total} entries`,
    ],
  ];
}

try {
  execFileSync(process.execPath, [join(root, 'bin', 'icuda.js'), 'install', '--user'], { env, stdio: 'ignore' });
  // The exact command line icuda gives nvcc for a cell without flags: "same file and flags".
  const { nvccArgs } = await import(pathToFileURL(join(root, 'dist', 'src', 'engine', 'compile', 'compiler.js')).href);
  const driverArgs = ['--floor', join(root, 'bench', 'floor-kernel.cjs'), '--nvcc-args', JSON.stringify(nvccArgs([]))];
  const run = spawnSync(python, [join(root, 'bench', 'driver.py'), ...driverArgs, ...process.argv.slice(2)], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`bench/driver.py failed (${run.status ?? run.signal})`);
  const r = JSON.parse(run.stdout.trim().split('\n').at(-1));
  const rows = [...helloRows(r), ...coldRows(r), ...startupRows(r), ...tripRows(r), ...sessionRows(r), ...floodRows(r), ...sharedRows(r)];
  const head = ['measure', 'icuda', 'baseline', 'ratio', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
  const line = (row) => row.map((cell, i) => String(cell).padEnd(widths[i])).join(' | ');
  process.stdout.write([line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n') + '\n');
  const machine = {
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    memGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
  writeFileSync(
    join(root, 'bench', 'results.json'),
    JSON.stringify({ date: new Date().toISOString(), machine, results: r, table: rows }, null, 2) + '\n',
  );
  process.stdout.write('wrote bench/results.json\n');
} finally {
  rmSync(home, { recursive: true, force: true });
}
