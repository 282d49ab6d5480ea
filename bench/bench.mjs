#!/usr/bin/env node
// `npm run bench`: icuda vs ipykernel side by side. Installs the built icuda's kernelspec in a
// private Jupyter data dir, runs bench/driver.py (jupyter_client drives both kernels), prints a
// table of medians and ratios, and writes bench/results.json.
// Options pass through to the driver: --repeat N, --trips N, --kernels N, --big (1 GB writer).
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

try {
  execFileSync(process.execPath, [join(root, 'bin', 'icuda.js'), 'install', '--user'], { env, stdio: 'ignore' });
  // The exact command line icuda gives nvcc for a cell without flags: "same file and flags".
  const { nvccArgs } = await import(pathToFileURL(join(root, 'dist', 'src', 'engine', 'compile', 'compiler.js')).href);
  const run = spawnSync(python, [join(root, 'bench', 'driver.py'), '--nvcc-args', JSON.stringify(nvccArgs([])), ...process.argv.slice(2)], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`bench/driver.py failed (${run.status ?? run.signal})`);
  const r = JSON.parse(run.stdout.trim().split('\n').at(-1));
  const rows = [
    [
      '1. hello, first run',
      ms(r.hello.icuda_first),
      ms(r.hello.ipykernel_first),
      ratio(r.hello.icuda_first, r.hello.ipykernel_first),
      'icuda vs a Python cell running nvcc',
    ],
    [
      '1. hello, re-run',
      ms(r.hello.icuda_rerun),
      ms(r.hello.ipykernel_rerun),
      ratio(r.hello.icuda_rerun, r.hello.ipykernel_rerun),
      'cache hit vs recompile',
    ],
    [
      '2. cold compile vs nvcc, same flags',
      ms(r.cold_compile.icuda_nocache),
      ms(r.cold_compile.nvcc_same_flags),
      ratio(r.cold_compile.icuda_nocache, r.cold_compile.nvcc_same_flags),
      'goal <= 1.05x',
    ],
    [
      '2. cold compile vs plain `nvcc x.cu`',
      ms(r.cold_compile.icuda_nocache),
      ms(r.cold_compile.nvcc_plain),
      ratio(r.cold_compile.icuda_nocache, r.cold_compile.nvcc_plain),
      'icuda defaults vs nvcc defaults',
    ],
    [
      '3. startup to kernel_info_reply',
      ms(r.startup.icuda),
      ms(r.startup.ipykernel),
      ratio(r.startup.icuda, r.startup.ipykernel),
      'goal <= 0.33x',
    ],
    [
      '4. kernel_info round trip',
      ms(r.round_trip.icuda_kernel_info),
      ms(r.round_trip.ipykernel_kernel_info),
      ratio(r.round_trip.icuda_kernel_info, r.round_trip.ipykernel_kernel_info),
      '',
    ],
    [
      '4. cached empty program vs `pass`',
      ms(r.round_trip.icuda_cached_empty),
      ms(r.round_trip.ipykernel_pass),
      ratio(r.round_trip.icuda_cached_empty, r.round_trip.ipykernel_pass),
      '',
    ],
    [
      '4. cached empty program vs fork+exec',
      ms(r.round_trip.icuda_cached_empty),
      ms(r.round_trip.fork_exec_binary),
      `+${((r.round_trip.icuda_cached_empty - r.round_trip.fork_exec_binary) * 1000).toFixed(1)} ms`,
      'goal: within 5 ms',
    ],
    ...Object.entries(r.flood).map(([size, f]) => [
      `5. ${size} writer`,
      `${f.MBps.toFixed(0)} MB/s`,
      `${f.peak_rss_MiB.toFixed(0)} MiB RSS`,
      '-',
      `goal >= 100 MB/s, RSS < 200 MB; ${(f.delivered_bytes / 1e6).toFixed(0)} MB delivered`,
    ]),
    [
      `6. ${r.shared_cache.kernels} kernels, one cache: same new cell`,
      ms(r.shared_cache.cold_wall),
      ms(r.shared_cache.warm_wall),
      ratio(r.shared_cache.warm_wall, r.shared_cache.cold_wall),
      `cold wall vs warm wall; ${r.shared_cache.entries_total} entries`,
    ],
  ];
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
