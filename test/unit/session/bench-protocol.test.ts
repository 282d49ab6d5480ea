// The session's parts for %bench and %vars, without a runner: the work functions a bench unit
// carries, the runner's command lines, its replies, and the symbols %vars asks the runner about.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planUnit } from '../../../src/session/generate.js';
import { commandLine } from '../../../src/session/runner-process.js';
import { parseReply } from '../../../src/session/runner-reply.js';
import { mayBePointer, variableSymbol } from '../../../src/session/session-vars.js';
import { splitCell } from '../../../src/session/splitter.js';
import { SessionState } from '../../../src/session/state.js';
import { RecordingSink } from '../../support/fakes.js';

describe('a bench unit', () => {
  test('--bytes and --flops become functions in the unit, their diagnostics naming the option', async () => {
    const syntax = await splitCell('const int n = 4;\nscale(n);');
    const plan = planUnit(new SessionState(), syntax.chunks, 3, 7, syntax.refs, [], { bytes: 'n * sizeof(float) * 3' });
    assert.equal(plan.work, 'icuda_work_u7');
    assert.match(
      plan.source,
      /namespace icuda_u7 \{\ndouble icuda_bytes\(\) \{ return \(double\)\(\n#line 1 "%bench --bytes"\nn \* sizeof\(float\) \* 3\n/,
    );
    assert.match(plan.source, /extern "C" void icuda_work_u7\(double \*bytes, double \*flops\) \{ \*bytes = icuda_u7::icuda_bytes\(\); \}/);
    assert.doesNotMatch(plan.source, /icuda_flops/, 'no --flops, no function for it');
  });

  test('without --bytes and --flops there is no work function; with them the key changes', async () => {
    const syntax = await splitCell('scale(4);');
    const plain = planUnit(new SessionState(), syntax.chunks, 1, 1, syntax.refs);
    const counted = planUnit(new SessionState(), syntax.chunks, 1, 1, syntax.refs, [], { flops: '8' });
    assert.equal(plain.work, undefined);
    assert.doesNotMatch(plain.source, /icuda_work/);
    assert.notEqual(plain.key, counted.key);
  });
});

describe('runner commands and replies', () => {
  const output = new RecordingSink();
  test('each command is one line, an object last (its path may hold spaces)', () => {
    const run = { kind: 'run' as const, symbol: 'icuda_run_u2', check: true, object: '/tmp/a b/prog' };
    assert.equal(commandLine('N', { command: run, output, input: async () => '' }), 'run N 1 1 icuda_run_u2 /tmp/a b/prog\n');
    const bench = { kind: 'bench' as const, symbol: 'icuda_run_u2', work: 'icuda_work_u2', reps: 25, show: false, cold: true };
    assert.equal(commandLine('N', { command: bench, output }), 'bench N 0 1 25 icuda_work_u2 icuda_run_u2 -\n');
    assert.equal(commandLine('N', { command: { kind: 'info' }, output }), 'info N\n');
    const vars = {
      kind: 'vars' as const,
      variables: [
        { symbol: '_ZN8icuda_u11pE', pointer: true },
        { symbol: '_ZN8icuda_u11nE', pointer: false },
      ],
    };
    assert.equal(commandLine('N', { command: vars, output }), 'vars N _ZN8icuda_u11pE:1 _ZN8icuda_u11nE:0\n');
  });

  test("a bench reply carries each repetition's times; GPU times are null when the events failed", () => {
    const frame = JSON.stringify({
      session: {
        nonce: 'N',
        status: 'ok',
        message: '',
        cuda: null,
        sticky: false,
        bench: { gpu: null, host: [0.5, 0.25], events: 'no driver', cold: '', bytes: 48, flops: null },
      },
    });
    const reply = parseReply(frame)!;
    assert.deepEqual(reply.bench, { gpu: null, host: [0.5, 0.25], events: 'no driver', cold: '', bytes: 48, flops: null });
    assert.equal(reply.info, undefined);
    assert.equal(parseReply('{"display":{}}'), undefined, 'display frames are not replies');
  });
});

describe('%vars symbols', () => {
  test("a variable's symbol is its Itanium name inside the unit's namespace", () => {
    assert.equal(variableSymbol('icuda_u3', [], 'd_a'), '_ZN8icuda_u33d_aE');
    assert.equal(variableSymbol('icuda_u12', ['q', 'inner'], 'x'), '_ZN9icuda_u121q5inner1xE');
  });

  test('pointers are asked about; other variables only for their size', () => {
    const def = (name: string, signature: string) => ({ name, signature, path: [], kind: 'variable' as const, line: 1 });
    assert.ok(mayBePointer(def('d_a', 'float *d_a')));
    assert.ok(mayBePointer(def('p', 'int* const p')));
    assert.ok(mayBePointer(def('q', 'auto q')), 'auto may hold a pointer');
    assert.ok(!mayBePointer(def('n', 'int n')));
    assert.ok(!mayBePointer(def('f', 'int (*f)(int)')), 'a function pointer is no allocation');
    assert.ok(!mayBePointer(def('v', 'std::vector<float *> v')));
  });
});
