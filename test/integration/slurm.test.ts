// The slurm executor end to end: a real one-node Slurm (scripts/slurm-up.sh: munged, slurmctld,
// slurmd on localhost), kernels started by jupyter_client with ICUDA_EXECUTOR=slurm, CPU-only cells.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { packageRoot } from '../../src/package-info.js';
import { executeContent, exchanges, missingClient, streamText, TestKernel, type Exchange } from '../support/jupyter.js';
import { waitNoProcessesUnder } from '../support/processes.js';

/** Why the Slurm tests cannot run here, or undefined once a cluster is up. */
function slurmUnavailable(): string | undefined {
  const client = missingClient();
  if (client) return client;
  const up = spawnSync('bash', [join(packageRoot, 'scripts', 'slurm-up.sh')], { encoding: 'utf8', timeout: 600_000 });
  if (up.status !== 0)
    return `no Slurm cluster: scripts/slurm-up.sh failed: ${(up.stderr || up.stdout || String(up.error)).trim().split('\n').pop()}`;
  return undefined;
}

const skip = slurmUnavailable();
if (skip && process.env.CI) throw new Error(`CI must run the Slurm tests: ${skip}`);

const program = (body: string) => `#include <cstdio>\n#include <unistd.h>\nint main(int argc, char **argv) {\n${body}\n}\n`;

function errorOf(ex: Exchange): { ename: string; evalue: string; traceback: string[] } {
  assert.equal(ex.reply.content.status, 'error', JSON.stringify(ex.reply.content));
  return ex.reply.content as never;
}

/** Slurm jobs of ours still known to the controller. */
function icudaJobs(): string[] {
  return execFileSync('squeue', ['-h', '-o', '%i %j %T'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(' icuda-'));
}

describe('cells run as Slurm job steps', { skip }, () => {
  let shared: string;
  let k: TestKernel;
  before(async () => {
    shared = await mkdtemp(join(tmpdir(), 'icuda-slurm-shared-'));
    k = await TestKernel.start({ env: { ICUDA_EXECUTOR: 'slurm', ICUDA_SLURM_ARGS: '-p debug -n 1 -t 5', ICUDA_SLURM_SCRATCH: shared } });
  });
  after(async () => {
    await k?.close();
    await rm(shared, { recursive: true, force: true });
  });

  test('hello world through srun, and the banner says so', async () => {
    const ex = await k.execute(program('printf("Hello from Slurm\\n"); return 0;'));
    assert.equal(ex.reply.content.status, 'ok', JSON.stringify(ex.reply.content));
    assert.equal(streamText(ex, 'stdout'), 'Hello from Slurm\n');
    assert.match((await k.request('kernel_info_request')).reply.content.banner, /on Slurm \(srun -p debug -n 1 -t 5\)/);
  });

  test('output streams as srun relays it', async () => {
    const ex = await k.execute(program('printf("first\\n"); sleep(1); printf("second\\n"); return 0;'));
    const streams = ex.iopub.filter((m) => m.msg_type === 'stream');
    const at = (text: string) => streams.find((m) => m.content.text.includes(text))!.t;
    assert.ok(at('second') - at('first') >= 0.8, `second line ${at('second') - at('first')} s after the first`);
  });

  test("a non-zero exit is a RuntimeError; srun's own lines stay out of the output", async () => {
    const ex = await k.execute(program('fprintf(stderr, "bad\\n"); return 2;'));
    const err = errorOf(ex);
    assert.equal(err.ename, 'RuntimeError');
    assert.equal(err.evalue, 'exited with code 2');
    assert.equal(streamText(ex, 'stderr'), 'bad\n');
  });

  test('interrupt cancels the step: squeue shows nothing left, no process survives', async () => {
    const id = await k.send('execute_request', executeContent(program('printf("looping\\n"); for (;;) {}')));
    const early = await k.collect([id], { untilText: 'looping' });
    assert.equal(icudaJobs().length, 1, 'the step is running');
    await k.lifecycle('interrupt');
    const [ex] = exchanges([id], [...early, ...(await k.collect([id], { timeout: 30 }))]);
    assert.equal(errorOf(ex).ename, 'Interrupted');
    assert.deepEqual(icudaJobs(), [], 'squeue shows no icuda job');
    assert.deepEqual(await waitNoProcessesUnder(shared, 5000), []);
  });

  test('%timeout cancels the step the same way', async () => {
    const err = errorOf(await k.execute('%timeout 2\n' + program('for (;;) {}')));
    assert.equal(err.ename, 'TimeoutError');
    assert.deepEqual(icudaJobs(), []);
  });
});

describe("Slurm's own errors", { skip }, () => {
  test('no such partition is shown as a SlurmError', async () => {
    const k = await TestKernel.start({ env: { ICUDA_EXECUTOR: 'slurm', ICUDA_SLURM_ARGS: '-p no_such_partition' } });
    try {
      const err = errorOf(await k.execute(program('printf("never\\n"); return 0;')));
      assert.equal(err.ename, 'SlurmError');
      assert.match(err.evalue, /invalid partition/i);
    } finally {
      await k.close();
    }
  });
});
