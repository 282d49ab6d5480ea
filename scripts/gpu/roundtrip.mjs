// Per-cell overhead with a real CUDA context, for scripts/gpu-check.sh: a trivial CUDA program
// (one cudaFree(0), so the context is created) run as a cached cell N times through a real
// icuda kernel, against the same binary run directly; and the same call as a session cell run
// again N times (no compile, no load, the context already there). Prints one JSON line of medians (ms).
// Usage: node roundtrip.mjs APP_DIR [RUNS]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const app = process.argv[2];
const runs = Number(process.argv[3] ?? 20);
const { KernelSession } = await import(join(app, 'dist/src/client/kernel-session.js'));
const source = '#include <cstdio>\nint main() { cudaError_t e = cudaFree(0); printf("%d\\n", (int)e); return 0; }\n';
const sessionSource = 'printf("%d\\n", (int)cudaFree(0));\n';
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// The program alone: compiled once with plain nvcc, then fork+exec'd and waited for.
const dir = mkdtempSync(join(tmpdir(), 'icuda-rt-'));
writeFileSync(join(dir, 'p.cu'), source);
execFileSync('nvcc', ['-o', join(dir, 'p'), join(dir, 'p.cu')]);
const direct = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  spawnSync(join(dir, 'p'));
  direct.push(performance.now() - t0);
}

// The same program as a cell: the first run compiles (and fills the cache), the rest hit.
const session = await KernelSession.start(process.env, tmpdir());
/** Runs `code` runs + 1 times; the first run's ms and the others'. */
const timeCells = async (code) => {
  const times = [];
  for (let i = 0; i <= runs; i++) {
    const t0 = performance.now();
    const ex = await session.execute(code, () => undefined, 120_000);
    times.push(performance.now() - t0);
    if (ex.reply.content.status !== 'ok') throw new Error(`cell failed: ${JSON.stringify(ex.reply.content)}`);
  }
  return [times[0], times.slice(1)];
};
let firstMs, cell, sessionFirstMs, sessionCell;
try {
  [firstMs, cell] = await timeCells(source);
  await session.execute('#include <cstdio>\n', () => undefined, 120_000);
  [sessionFirstMs, sessionCell] = await timeCells(sessionSource);
} finally {
  await session.shutdown();
}
const result = {
  runs,
  first_cell_ms: Math.round(firstMs),
  cached_cell_ms_median: +median(cell).toFixed(2),
  program_alone_ms_median: +median(direct).toFixed(2),
};
result.overhead_ms_median = +(result.cached_cell_ms_median - result.program_alone_ms_median).toFixed(2);
result.session_first_cell_ms = Math.round(sessionFirstMs);
result.session_cell_ms_median = +median(sessionCell).toFixed(2);
console.log(JSON.stringify(result));
