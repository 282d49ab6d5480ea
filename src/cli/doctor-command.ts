// `icuda doctor`: checks what icuda needs and what it can use, and prints a fix for each
// problem. Exits 1 only when something required (Node, zeromq, nvcc, a host compiler) fails.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { findToolchain } from '../engine/toolchain/toolchain.js';
import { changedSettings, toolPlaces, type Settings } from '../settings/settings.js';
import { checkJupyters, onPath, type Finding } from './doctor-jupyter.js';

const PROFILERS = ['ncu', 'nsys', 'compute-sanitizer', 'cuobjdump'];

/** Runs every check, prints one line each (and its fix); answers the exit code. */
export async function run(settings: Settings): Promise<number> {
  const env = settings.env; // the tools doctor runs inherit it
  const findings: Finding[] = [checkNode(), await checkZeromq(), ...checkSettings(settings)];
  const lookup = await findToolchain(toolPlaces(settings), env);
  if (lookup.found) {
    findings.push({
      name: 'nvcc',
      level: 'ok',
      detail: `${lookup.toolchain.nvcc} (CUDA ${lookup.toolchain.version || 'version unknown'})`,
    });
    findings.push(await checkHostCompiler(lookup.toolchain.nvcc, settings.tmpdir));
  } else {
    findings.push({
      name: 'nvcc',
      level: 'fail',
      detail: `not found (looked in ${lookup.looked.join(', ')})`,
      fix: 'install the CUDA toolkit, or set NVCC=/path/to/nvcc or CUDA_HOME=/path/to/cuda',
    });
  }
  findings.push(await checkGpu());
  findings.push(...(await checkJupyters(settings.path)));
  const cudaBin = lookup.found ? dirname(lookup.toolchain.nvcc) : undefined;
  findings.push(...(await Promise.all(PROFILERS.map((tool) => checkProfiler(tool, settings.path, cudaBin)))));
  for (const f of findings) process.stdout.write(formatFinding(f));
  const failed = findings.filter((f) => f.level === 'fail');
  process.stdout.write(failed.length ? `\n${failed.length} required check(s) failed.\n` : '\nicuda is ready.\n');
  return failed.length ? 1 : 0;
}

/** "  ok    name   detail" plus an indented fix line. */
function formatFinding(f: Finding): string {
  const mark = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' }[f.level];
  return `${mark}  ${f.name.padEnd(18)} ${f.detail}\n` + (f.fix && f.level !== 'ok' ? `      ${''.padEnd(18)} fix: ${f.fix}\n` : '');
}

/** The settings: those changed from their defaults, and any invalid value (with the default used). */
function checkSettings(settings: Settings): Finding[] {
  const changed = changedSettings(settings);
  const findings: Finding[] = [
    { name: 'settings', level: 'ok', detail: changed.length ? changed.join(' ') : 'all defaults (icuda --help lists them)' },
  ];
  for (const problem of settings.warnings)
    findings.push({ name: 'setting', level: 'warn', detail: problem, fix: 'correct or unset the variable' });
  for (const problem of settings.errors)
    findings.push({ name: 'setting', level: 'fail', detail: problem, fix: 'correct or unset the variable' });
  return findings;
}

/** Node.js 20 or later. */
function checkNode(): Finding {
  const major = Number(process.versions.node.split('.')[0]);
  return major >= 20
    ? { name: 'Node.js', level: 'ok', detail: `v${process.versions.node}` }
    : { name: 'Node.js', level: 'fail', detail: `v${process.versions.node} is too old`, fix: 'install Node.js 20 or later' };
}

/** The zeromq native addon loads and makes a socket. */
async function checkZeromq(): Promise<Finding> {
  try {
    const zmq = await import('zeromq');
    new zmq.Dealer().close();
    return { name: 'zeromq addon', level: 'ok', detail: `libzmq ${zmq.version}` };
  } catch (error) {
    return {
      name: 'zeromq addon',
      level: 'fail',
      detail: `does not load: ${(error as Error).message.split('\n')[0]}`,
      fix: "reinstall icuda's dependencies (npm ci, or npm rebuild zeromq) with this Node.js",
    };
  }
}

/** nvcc compiles and links a tiny program, which proves it accepts the host compiler. */
async function checkHostCompiler(nvcc: string, tmp: string): Promise<Finding> {
  const dir = await mkdtemp(join(tmp, 'icuda-doctor-'));
  try {
    await writeFile(join(dir, 'probe.cu'), '__global__ void k() {}\nint main() { k<<<1, 1>>>(); return 0; }\n');
    const r = await execa(nvcc, ['-o', join(dir, 'probe'), join(dir, 'probe.cu')], {
      reject: false,
      timeout: 120_000,
      all: true,
      env: { TMPDIR: dir }, // nvcc's temp files go with the probe's dir
    });
    if (r.exitCode === 0) {
      const cxx = await execa('c++', ['--version'], { reject: false, timeout: 10_000 });
      return {
        name: 'host compiler',
        level: 'ok',
        detail: cxx.exitCode === 0 ? String(cxx.stdout).split('\n')[0] : 'nvcc compiled a probe',
      };
    }
    return {
      name: 'host compiler',
      level: 'fail',
      detail: `nvcc cannot compile a probe: ${String(r.all ?? '')
        .trim()
        .split('\n')
        .slice(-2)
        .join(' / ')}`,
      fix: 'install a g++ that this CUDA version supports (see the CUDA installation guide), or point nvcc at one with -ccbin in %default_flags',
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A GPU and driver, through nvidia-smi; none is a warning (programs compile, CUDA calls fail). */
async function checkGpu(): Promise<Finding> {
  const r = await execa('nvidia-smi', ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader'], {
    reject: false,
    timeout: 20_000,
  });
  if (r.exitCode === 0 && String(r.stdout).trim()) {
    return { name: 'GPU and driver', level: 'ok', detail: String(r.stdout).trim().split('\n').join('; ') };
  }
  const why =
    r.failed && (r as { code?: string }).code === 'ENOENT'
      ? 'nvidia-smi not found'
      : String(r.stderr || r.stdout)
          .trim()
          .split('\n')[0];
  return {
    name: 'GPU and driver',
    level: 'warn',
    detail: `none usable (${why})`,
    fix: 'cells compile and run, but CUDA calls fail until a GPU with an NVIDIA driver is present',
  };
}

/** A profiler or binary tool on PATH or next to nvcc. */
async function checkProfiler(tool: string, searchPath: string, cudaBin?: string): Promise<Finding> {
  const path = await onPath(tool, searchPath, cudaBin ? [cudaBin] : []);
  return path
    ? { name: tool, level: 'ok', detail: path }
    : {
        name: tool,
        level: 'warn',
        detail: 'not found (optional)',
        fix: `install it with the CUDA toolkit or Nsight tools, and put its folder on PATH`,
      };
}
