// %%sass, %profile and %sanitize through jupyter_client and the real nvcc, with the real tools
// absent here: small fake executables first on the kernel's PATH stand in for cuobjdump, ncu,
// nsys and compute-sanitizer (canned output, their argv recorded); removing a fake shows the
// clear message for a missing tool.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { findTool } from '../../src/engine/toolchain/tools.js';
import { loadSettings, toolPlaces } from '../../src/settings/settings.js';
import { missingClient, streamText, TestKernel, type Exchange } from '../support/jupyter.js';
import { assertNothingLeftUnder } from '../support/leftovers.js';

const skip = missingClient();
if (skip && process.env.CI) throw new Error(`CI must run the jupyter_client tests: ${skip}`);

const statusOf = (ex: Exchange) => (ex.reply.content.status === 'ok' ? 'ok' : `${ex.reply.content.ename}: ${ex.reply.content.evalue}`);
const displays = (ex: Exchange) => ex.iopub.filter((m) => m.msg_type === 'display_data').map((m) => m.content.data);

/** Each fake records its argv (one per line) in <fakes>/<name>.argv, then acts. */
const FAKES: Record<string, string> = {
  nvdisasm: `printf '\t.text._Z4noopv:\n        /*0000*/                   EXIT ;\n'`,
  cuobjdump: `printf '\\tcode for sm_75\\n\\t\\tFunction : _Z4noopv\\n        /*0000*/                   EXIT ;\\n'`,
  ncu: `if [ "$1" = --import ]; then
  echo '"ID","Process ID","Process Name","Host Name","Kernel Name","Context","Stream","Block Size","Grid Size","Device","CC","Section Name","Metric Name","Metric Unit","Metric Value"'
  echo '"0","1","prog","h","noop()","1","7","(32, 1, 1)","(1, 1, 1)","0","9.0","GPU Speed Of Light Throughput","Duration","usecond","1.60"'
  echo '"0","1","prog","h","noop()","1","7","(32, 1, 1)","(1, 1, 1)","0","9.0","GPU Speed Of Light Throughput","Memory Throughput","%","0.42"'
  exit 0
fi
[ -n "$FAKE_PERM" ] && { echo '==ERROR== ERR_NVGPUCTRPERM - The user does not have permission to access NVIDIA GPU Performance Counters'; exit 1; }
shift; shift; report="$1"; shift; : > "$report.ncu-rep"
while [ ! -f "$1" ]; do echo "option: $1" >> "$0.options"; shift; done
echo '==PROF== Connected to process'; "$@"`,
  nsys: `if [ "$1" = stats ]; then
  echo 'Processing [report.sqlite] with [cuda_gpu_kern_sum.py]... '
  echo '"Time (%)","Total Time (ns)","Instances","Avg (ns)","Med (ns)","Min (ns)","Max (ns)","StdDev (ns)","Name"'
  echo '100.0,2048,2,1024.0,1024.0,1000,1048,33.9,"noop()"'
  exit 0
fi
shift 5; report="$1"; shift; : > "$report.nsys-rep"; "$@"`,
  'compute-sanitizer': `shift 2; echo '========= COMPUTE-SANITIZER'; "$@"; code=$?
if [ -n "$FAKE_ERRORS" ]; then
  echo '========= Invalid __global__ write of size 4 bytes'
  echo '=========     at poke(int *)+0x70 in cell[1]:3'
  echo '========= ERROR SUMMARY: 1 error'
else echo '========= ERROR SUMMARY: 0 errors'; fi
exit $code`,
};

const PROGRAM = '#include <cstdio>\n__global__ void noop() {}\nint main() { printf("program ran\\n"); return 0; }\n';

describe('%%sass, %profile and %sanitize against fake tools', { skip }, () => {
  let k: TestKernel;
  let fakes: string;
  /** Puts (or, with false, removes) a fake tool first on the kernel's PATH. */
  const fake = async (name: string, present = true) => {
    const path = join(fakes, name);
    if (!present) return rm(path, { force: true });
    await writeFile(path, `#!/bin/sh\nprintf '%s\\n' "$@" > "$0.argv"\n${FAKES[name]}\n`);
    await chmod(path, 0o755);
  };
  const argv = async (name: string) => (await readFile(join(fakes, `${name}.argv`), 'utf8')).trimEnd().split('\n');

  before(async () => {
    fakes = await mkdtemp(join(tmpdir(), 'icuda-fakes-'));
    k = await TestKernel.start({ env: { PATH: `${fakes}:${process.env.PATH}` } });
  });
  after(async () => {
    await k?.close();
    await rm(fakes, { recursive: true, force: true });
  });
  afterEach(() => assertNothingLeftUnder(k.tmp));

  test('%%sass without cuobjdump or nvdisasm says what to install', async (t) => {
    const real = (await findTool('cuobjdump', toolPlaces(loadSettings()))) ?? (await findTool('nvdisasm', toolPlaces(loadSettings())));
    if (real) return t.skip(`a real one is installed: ${real}`);
    const ex = await k.execute('%%sass\n__global__ void noop() {}\n');
    assert.match(statusOf(ex), /^ToolNotFound: %%sass needs cuobjdump or nvdisasm/);
    assert.match(streamText(ex, 'stdout'), /^\/\/ noop\(\) \[sm_\d+\]: \d+ registers/, 'the resource summary still shows');
  });

  test("%%sass runs cuobjdump -sass on the cell's cubin and shows its text", async () => {
    await fake('cuobjdump');
    try {
      const ex = await k.execute('%flags -arch=sm_80\n%%sass\n__global__ void noop() {}\n');
      assert.equal(statusOf(ex), 'ok');
      const out = streamText(ex, 'stdout');
      assert.match(out, /^\/\/ noop\(\) \[sm_80\]: /);
      assert.match(out, /Function : _Z4noopv\n.*EXIT ;/);
      assert.deepEqual(await argv('cuobjdump'), ['-sass', 'cell.cubin']);
    } finally {
      await fake('cuobjdump', false);
    }
  });

  test('%%sass falls back to nvdisasm when cuobjdump is missing', async (t) => {
    if (await findTool('cuobjdump', toolPlaces(loadSettings()))) return t.skip('a real cuobjdump is installed');
    await fake('nvdisasm');
    try {
      const ex = await k.execute('%%sass\n__global__ void noop() {}\n');
      assert.equal(statusOf(ex), 'ok');
      assert.match(streamText(ex, 'stdout'), /\.text\._Z4noopv:\n.*EXIT ;/);
      assert.deepEqual(await argv('nvdisasm'), ['cell.cubin']);
    } finally {
      await fake('nvdisasm', false);
    }
  });

  test('%profile without ncu, nsys or compute-sanitizer names what to install', async () => {
    for (const [magic, tool] of [
      ['%profile', 'ncu'],
      ['%profile nsys', 'nsys'],
      ['%sanitize', 'compute-sanitizer'],
    ] as const) {
      if (await findTool(tool, toolPlaces(loadSettings()))) continue; // a real one is installed here
      const ex = await k.execute(`${magic}\n${PROGRAM}`);
      assert.match(statusOf(ex), new RegExp(`^ToolNotFound: ${tool} not found.*install the CUDA toolkit package cuda-`), magic);
    }
  });

  test('%profile ncu runs the program under ncu, keeps the report, and shows a kernel table', async () => {
    await fake('ncu');
    try {
      const ex = await k.execute(`%profile ncu --set full\n${PROGRAM}`);
      assert.equal(statusOf(ex), 'ok');
      assert.match(streamText(ex, 'stdout'), /==PROF== Connected to process\nprogram ran\n/);
      assert.equal(
        await readFile(join(fakes, 'ncu.options'), 'utf8'),
        'option: --set\noption: full\n',
        "the user's ncu arguments come first",
      );
      const args = await argv('ncu');
      assert.equal(args[0], '--import');
      assert.deepEqual(args.slice(2), ['--csv', '--page', 'details']);
      assert.match(args[1], /workspace\/profile-\d+\.ncu-rep$/);
      const [table] = displays(ex);
      assert.match(table['text/plain'], /ncu: 1 kernel; full report kept in the workspace as profile-\d+\.ncu-rep/);
      assert.match(table['text/plain'], /noop\(\)\s+\(1, 1, 1\)\s+\(32, 1, 1\)\s+1\.60 usecond\s+0\.42 %/);
      assert.match(table['text/html'], /<td>noop\(\)<\/td>/);
      assert.match(streamText(await k.execute('%workspace'), 'stdout'), /profile-\d+\.ncu-rep/);
    } finally {
      await fake('ncu', false);
    }
  });

  test('%profile names the fix for ERR_NVGPUCTRPERM', async () => {
    await fake('ncu');
    try {
      const ex = await k.execute(`%profile\n%env FAKE_PERM=1\n${PROGRAM}`);
      assert.match(statusOf(ex), /^ProfilerPermission: ncu may not read the GPU performance counters \(ERR_NVGPUCTRPERM\)/);
      const traceback = ex.reply.content.traceback.join('\n');
      assert.match(traceback, /--cap-add SYS_ADMIN/);
      assert.match(traceback, /NVreg_RestrictProfilingToAdminUsers=0/);
    } finally {
      await fake('ncu', false);
    }
  });

  test('%profile nsys summarises the kernels from nsys stats', async () => {
    await fake('nsys');
    try {
      const ex = await k.execute(`%profile nsys\n${PROGRAM}`);
      assert.equal(statusOf(ex), 'ok');
      assert.deepEqual((await argv('nsys')).slice(0, 6), [
        'stats',
        '--force-export=true',
        '--report',
        'cuda_gpu_kern_sum',
        '--format',
        'csv',
      ]);
      assert.match(displays(ex)[0]['text/plain'], /noop\(\)\s+100\.0\s+2\s+2048/);
    } finally {
      await fake('nsys', false);
    }
  });

  test('%sanitize shows findings and fails the cell when there are errors; passes when clean', async () => {
    await fake('compute-sanitizer');
    try {
      const clean = await k.execute(`%sanitize racecheck\n${PROGRAM}`);
      assert.equal(statusOf(clean), 'ok');
      assert.match(streamText(clean, 'stdout'), /program ran\n========= ERROR SUMMARY: 0 errors/);
      assert.deepEqual((await argv('compute-sanitizer')).slice(0, 2), ['--tool', 'racecheck']);
      const dirty = await k.execute(`%sanitize\n%env FAKE_ERRORS=1\n${PROGRAM}`);
      assert.equal(statusOf(dirty), 'SanitizerError: memcheck: ERROR SUMMARY: 1 error');
      assert.match(dirty.reply.content.traceback.join('\n'), /Invalid __global__ write of size 4 bytes\n.*at poke/);
      assert.deepEqual((await argv('compute-sanitizer')).slice(0, 2), ['--tool', 'memcheck']);
    } finally {
      await fake('compute-sanitizer', false);
    }
  });

  test('%sanitize with an unknown tool is a MagicError listing the tools', async () => {
    assert.match(
      statusOf(await k.execute(`%sanitize leakcheck\n${PROGRAM}`)),
      /MagicError: .*one of memcheck, racecheck, initcheck, synccheck/,
    );
  });
});
