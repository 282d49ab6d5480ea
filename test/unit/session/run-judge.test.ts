// How a unit's run is judged, against a fake runner: a lost CUDA context, a runner that died, an
// interrupt the runner honours or ignores, a failed load, and when the "no GPU" notice is shown.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GroupEnd } from '../../../src/engine/run/process-group.js';
import type { UnitPlan } from '../../../src/session/generate.js';
import { GRACE_MS, judgeRun } from '../../../src/session/run-judge.js';
import type { RunnerProcess, RunResult } from '../../../src/session/runner-process.js';
import type { RunnerReply } from '../../../src/session/runner-reply.js';
import type { CellRunHost } from '../../../src/session/session-types.js';
import { SessionState } from '../../../src/session/state.js';
import { RecordingSink } from '../../support/fakes.js';

const NO_GPU = {
  code: 35,
  name: 'cudaErrorInsufficientDriver',
  message: 'CUDA driver version is insufficient',
  where: 'at the end of the cell',
  arch: '',
};

/** A runner whose run answers `answer` (after `delayMs`), unless it is killed first. */
function fakeRunner(answer: (interrupted: boolean) => RunResult | undefined, delayMs = 0) {
  let interrupted = false;
  let killed: ((end: GroupEnd) => void) | undefined;
  const ended = new Promise<GroupEnd>((resolve) => (killed = resolve));
  const calls: string[] = [];
  const runner = {
    ended,
    run: () =>
      new Promise<RunResult>((resolve) => {
        const settle = () => {
          const result = answer(interrupted);
          if (result) resolve(result);
        };
        setTimeout(settle, delayMs);
        void ended.then((end) => resolve({ kind: 'ended', end }));
        runner.interrupt = () => {
          calls.push('interrupt');
          interrupted = true;
          settle();
        };
      }),
    interrupt: () => undefined,
    kill: () => {
      calls.push('kill');
      killed?.({ cause: 'abort' });
    },
  };
  return { runner: runner as unknown as RunnerProcess, calls };
}

/** A host with one committed cell, counting losses. */
function fakeHost() {
  const host = { state: new SessionState(), loaded: new Map<string, UnitPlan>(), lost: 0, lose: () => (host.lost += 1) };
  host.state.noteRan(1);
  return host as unknown as CellRunHost & { lost: number };
}

const plan: UnitPlan = {
  record: { id: 2, ns: 'icuda_u2', cell: 2, globals: '', block: '', defs: [], needs: [] },
  source: '',
  symbol: 'icuda_run_u2',
  reusable: true,
  key: 'k',
};
const reply = (fields: Partial<RunnerReply>): RunResult => ({
  kind: 'reply',
  reply: { nonce: 'n', status: 'ok', message: '', cuda: undefined, sticky: false, ...fields },
});

/** Judges one run of `plan` as cell [2]. */
async function judge(
  runner: RunnerProcess,
  host = fakeHost(),
  options: { usesCuda?: boolean; abortAfterMs?: number; noticed?: Set<string>; benching?: boolean } = {},
) {
  const output = new RecordingSink();
  const abort = new AbortController();
  if (options.abortAfterMs !== undefined) setTimeout(() => abort.abort(), options.abortAfterMs);
  const syntax = { chunks: [], hasMain: false, refs: new Set<string>(), declared: new Set<string>(), usesCuda: Boolean(options.usesCuda) };
  const cell = { executionCount: 2, flags: [], signal: abort.signal, output };
  const { noticed, benching } = options;
  const outcome = await judgeRun(host, runner, { plan, object: '/x/prog', syntax, cell, deadline: undefined, noticed, benching });
  return { outcome, output, host };
}

describe('judgeRun', () => {
  test('a lost CUDA context kills the runner and says which state went', async () => {
    const { runner, calls } = fakeRunner(() =>
      reply({ sticky: true, cuda: { ...NO_GPU, name: 'cudaErrorIllegalAddress', message: 'an illegal memory access' } }),
    );
    const { outcome, host } = await judge(runner);
    assert.equal(outcome.status === 'error' && outcome.ename, 'CudaContextLost');
    assert.match(outcome.status === 'error' ? outcome.traceback.join('\n') : '', /what cells \[1\] and \[2\] defined is lost/);
    assert.deepEqual(calls, ['kill']);
    assert.equal(host.lost, 1);
  });

  test('"no GPU" is told for a cell that uses CUDA only; other errors always', async () => {
    const quiet = await judge(fakeRunner(() => reply({ cuda: NO_GPU })).runner);
    assert.equal(quiet.output.text('stderr'), '');
    const told = await judge(fakeRunner(() => reply({ cuda: NO_GPU })).runner, fakeHost(), { usesCuda: true });
    assert.match(told.output.text('stderr'), /^icuda: CUDA unavailable: /);
    const other = await judge(
      fakeRunner(() => reply({ cuda: { ...NO_GPU, name: 'cudaErrorInvalidValue', message: 'invalid argument' } })).runner,
    );
    assert.match(other.output.text('stderr'), /CUDA error left unchecked at the end of the cell: invalid argument/);
  });

  test('"no GPU" once per cell of several parts; a bench run fails on other CUDA errors and tells no notice', async () => {
    const noticed = new Set<string>();
    const first = await judge(fakeRunner(() => reply({ cuda: NO_GPU })).runner, fakeHost(), { usesCuda: true, noticed });
    const second = await judge(fakeRunner(() => reply({ cuda: NO_GPU })).runner, fakeHost(), { usesCuda: true, noticed });
    assert.match(first.output.text('stderr'), /^icuda: CUDA unavailable: /);
    assert.equal(second.output.text('stderr'), '');
    const bench = await judge(fakeRunner(() => reply({ cuda: NO_GPU })).runner, fakeHost(), { usesCuda: true, benching: true });
    assert.deepEqual([bench.outcome.status, bench.output.text('stderr')], ['ok', '']);
    const invalid = { ...NO_GPU, name: 'cudaErrorInvalidConfiguration', message: 'invalid configuration argument' };
    const failed = await judge(fakeRunner(() => reply({ cuda: invalid })).runner, fakeHost(), { usesCuda: true, benching: true });
    assert.deepEqual(failed.outcome.status === 'error' && [failed.outcome.ename, failed.outcome.evalue], [
      'CudaError',
      'invalid configuration argument (cudaErrorInvalidConfiguration)',
    ]);
  });

  test('an interrupt the runner honours keeps the session; one it ignores costs the state', async () => {
    const honoured = fakeRunner((interrupted) => (interrupted ? reply({ status: 'interrupted' }) : undefined));
    const kept = await judge(honoured.runner, fakeHost(), { abortAfterMs: 20 });
    assert.equal(kept.outcome.status === 'error' && kept.outcome.ename, 'Interrupted');
    assert.equal(kept.host.lost, 0);
    const ignored = fakeRunner(() => undefined);
    const started = Date.now();
    const lost = await judge(ignored.runner, fakeHost(), { abortAfterMs: 20 });
    assert.ok(Date.now() - started < GRACE_MS + 300, 'killed after the grace period');
    assert.deepEqual(ignored.calls, ['interrupt', 'kill']);
    assert.match(lost.outcome.status === 'error' ? lost.outcome.traceback.join('\n') : '', /The session was restarted/);
  });

  test('a runner killed by a signal is a RuntimeError naming it', async () => {
    const { runner } = fakeRunner(() => ({ kind: 'ended', end: { cause: 'exit', exitCode: null, signal: 'SIGSEGV' } }));
    const { outcome } = await judge(runner);
    assert.equal(outcome.status === 'error' && outcome.evalue, 'killed by SIGSEGV (segmentation fault)');
  });

  test('a failed load is a LinkError and commits nothing', async () => {
    const host = fakeHost();
    const { outcome } = await judge(
      fakeRunner(() => reply({ status: 'load-error', message: 'prog: undefined symbol: _ZN8icuda_u15whichEv' })).runner,
      host,
    );
    assert.equal(outcome.status === 'error' && outcome.ename, 'LinkError');
    assert.match(outcome.status === 'error' ? outcome.evalue : '', /undefined symbol: .*which/);
    assert.equal(host.loaded.size, 0);
  });
});
