// `icuda doctor`: checks what icuda needs and what it can use, and prints a fix for each
// problem. Exits 1 only when something required (Node, zeromq, nvcc, a host compiler) fails.
import { constants } from 'node:fs';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { execa } from 'execa';
import { findToolchain } from '../engine/toolchain/toolchain.js';
import { changedSettings, toolPlaces, type Settings } from '../settings/settings.js';

type Level = 'ok' | 'warn' | 'fail';
interface Finding {
  name: string;
  level: Level;
  detail: string;
  fix?: string;
}

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
  findings.push(...(await checkJupyter(settings.path)));
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
    const r = await execa(nvcc, ['-o', join(dir, 'probe'), join(dir, 'probe.cu')], { reject: false, timeout: 120_000, all: true });
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

/** Jupyter on PATH, and whether *that* Jupyter sees the icuda kernelspec. */
async function checkJupyter(path: string): Promise<Finding[]> {
  const jupyter = await onPath('jupyter', path);
  if (!jupyter) {
    return [{ name: 'Jupyter', level: 'warn', detail: 'no jupyter on PATH', fix: 'pip install jupyterlab (icuda run works without it)' }];
  }
  const found: Finding = { name: 'Jupyter', level: 'ok', detail: jupyter };
  const r = await execa(jupyter, ['kernelspec', 'list', '--json'], { reject: false, timeout: 60_000 });
  if (r.exitCode !== 0)
    return [
      found,
      { name: 'kernelspec', level: 'warn', detail: `jupyter kernelspec list failed: ${String(r.stderr).trim().split('\n').at(-1)}` },
    ];
  let specs: Record<string, { resource_dir: string; spec: { argv: string[]; language?: string } }>;
  try {
    specs = (JSON.parse(String(r.stdout)) as { kernelspecs?: typeof specs }).kernelspecs ?? {};
  } catch {
    return [found, { name: 'kernelspec', level: 'warn', detail: 'jupyter kernelspec list --json did not print JSON' }];
  }
  const ours = Object.entries(specs).filter(([, s]) => s.spec.language === 'cuda' || s.spec.argv.some((a) => a.includes('icuda')));
  if (ours.length === 0) {
    return [
      found,
      {
        name: 'kernelspec',
        level: 'warn',
        detail: `this Jupyter (${jupyter}) has no icuda kernelspec`,
        fix: 'icuda install --user (or --sys-prefix inside the venv whose jupyter you use)',
      },
    ];
  }
  return [found, ...(await Promise.all(ours.map(([name, s]) => checkSpec(name, s.resource_dir, s.spec.argv))))];
}

/** A registered kernelspec whose program and script still exist. */
async function checkSpec(name: string, dir: string, argv: string[]): Promise<Finding> {
  const missing: string[] = [];
  for (const file of argv.slice(0, 2).filter((a) => a.startsWith('/'))) if (!(await isExecutableOrFile(file))) missing.push(file);
  const spec = JSON.parse(await readFile(join(dir, 'kernel.json'), 'utf8').catch(() => '{}')) as { display_name?: string };
  return missing.length
    ? {
        name: `kernelspec ${name}`,
        level: 'warn',
        detail: `${dir} starts ${missing.join(', ')}, which is gone`,
        fix: `icuda install (again) to point it at this icuda`,
      }
    : { name: `kernelspec ${name}`, level: 'ok', detail: `${dir} ("${spec.display_name ?? name}")` };
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

/** The first executable `name` in PATH (then `extra` folders), if any. */
async function onPath(name: string, searchPath: string, extra: string[] = []): Promise<string | undefined> {
  for (const dir of [...searchPath.split(delimiter), ...extra]) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return undefined;
}

/** Whether a path exists. */
async function isExecutableOrFile(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
