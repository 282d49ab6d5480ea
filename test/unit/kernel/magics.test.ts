// The magic-line parser: every magic, both prefixes, quoting, errors that name their line.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MagicError, parseCell } from '../../../src/kernel/magics/magics.js';

describe('parseCell', () => {
  test('a cell without magics is its own source', () => {
    const plan = parseCell('int main() {}\n');
    assert.equal(plan.source, 'int main() {}\n');
    assert.deepEqual([plan.flags, plan.args, plan.env, plan.keep, plan.hasCode], [[], [], {}, false, true]);
  });

  test('each magic lands in the plan', () => {
    const plan = parseCell('%flags -O3 -DX=1\n%args a "b c"\n%env NAME=value\n%timeout 2.5\n%keep\nint main() {}');
    assert.deepEqual(plan.flags, ['-O3', '-DX=1']);
    assert.deepEqual(plan.args, ['a', 'b c']);
    assert.deepEqual(plan.env, { NAME: 'value' });
    assert.equal(plan.timeoutS, 2.5);
    assert.equal(plan.keep, true);
  });

  test('//% works, with or without a space, and after indentation', () => {
    const plan = parseCell('//%flags -O1\n  //% args a b\n// ordinary comment\n');
    assert.deepEqual(plan.flags, ['-O1']);
    assert.deepEqual(plan.args, ['a', 'b']);
  });

  test('repeated %flags and %args accumulate', () => {
    assert.deepEqual(parseCell('%flags -a\n%flags -b\n').flags, ['-a', '-b']);
    assert.deepEqual(parseCell('%args x\n%args y z\n').args, ['x', 'y', 'z']);
  });

  test('shell syntax stays literal in %args', () => {
    assert.deepEqual(parseCell('%args one "two words" ";" \'$(id)\'').args, ['one', 'two words', ';', '$(id)']);
  });

  test('%env takes the rest of the line, unquoting one quoted word', () => {
    assert.deepEqual(parseCell('%env GREETING=hi there').env, { GREETING: 'hi there' });
    assert.deepEqual(parseCell('%env A="x y"\n%env B=a=b\n%env C=').env, { A: 'x y', B: 'a=b', C: '' });
  });

  test('%default_flags sets, resets and shows', () => {
    assert.deepEqual(parseCell('%default_flags -DVALUE=7').defaultFlags, { set: ['-DVALUE=7'] });
    assert.equal(parseCell('%default_flags --reset').defaultFlags, 'reset');
    assert.equal(parseCell('%default_flags').defaultFlags, 'show');
    assert.equal(parseCell('int x;').defaultFlags, undefined);
  });

  test('magic lines are blanked so line numbers match; blank lines among them are allowed', () => {
    const plan = parseCell('%flags -O2\n\n//% args a\nint main() {\n%not_a_magic_here\n}');
    assert.equal(plan.source, '\n\n\nint main() {\n%not_a_magic_here\n}');
    assert.equal(plan.source.split('\n').length, 6);
  });

  test('a cell of magics and whitespace has no code', () => {
    assert.equal(parseCell('%default_flags -O2\n\n  \n').hasCode, false);
    assert.equal(parseCell('').hasCode, false);
  });

  test('an unknown magic names its line and the known ones', () => {
    assert.throws(
      () => parseCell('%flags -O2\n%frobnicate now\nint main() {}'),
      (error: unknown) => {
        assert.ok(error instanceof MagicError);
        assert.match(error.message, /^line 2: unknown magic %frobnicate \(known: %flags, %default_flags/);
        return true;
      },
    );
  });

  test('malformed arguments are MagicErrors naming the line', () => {
    const cases: [string, RegExp][] = [
      ['%timeout', /line 1: %timeout: expected one positive number/],
      ['\n%timeout soon', /line 2: %timeout: .*"soon"/],
      ['%timeout -1', /line 1: %timeout/],
      ['%timeout 1 2', /line 1: %timeout/],
      ['%keep now', /line 1: %keep: takes no arguments/],
      ['%flags', /line 1: %flags: needs at least one argument/],
      ['%args "open', /line 1: %args: .*usage: %args/],
      ['%env novalue', /line 1: %env: expected NAME=VALUE/],
      ['%env 1X=2', /line 1: %env: expected NAME=VALUE/],
    ];
    for (const [code, message] of cases) assert.throws(() => parseCell(code), message, code);
  });
});
