// Generated sources for known cell sequences: versioned namespaces, the using-declarations that
// make the newest definition the one seen, what is carried, and the keys that let a re-run of an
// unchanged statements cell reuse its object.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planUnit, type UnitPlan } from '../../../src/session/generate.js';
import { partsOf, splitCell } from '../../../src/session/splitter.js';
import { closureOf, SessionState } from '../../../src/session/state.js';

/** Plans (and commits) each cell in order as cell [1], [2], ...; answers every cell's plans. */
async function planCells(cells: string[], state = new SessionState(), first = 1): Promise<UnitPlan[][]> {
  let id = state.units.length + 1;
  const plans: UnitPlan[][] = [];
  for (const [i, source] of cells.entries()) {
    const syntax = await splitCell(source, (name) => state.kindOf(name));
    const planned = partsOf(syntax.chunks).map((part) => planUnit(state, part, first + i, id++, syntax.refs));
    for (const plan of planned) state.commit(plan.record);
    plans.push(planned);
  }
  return plans;
}

describe('planUnit', () => {
  test('a cell of definitions gets a versioned namespace and an entry point of its own', async () => {
    const [[unit]] = await planCells(['int counter = 0;\nint bump() { return ++counter; }\nbump();']);
    assert.equal(unit.record.ns, 'icuda_u1');
    assert.equal(unit.symbol, 'icuda_run_u1');
    assert.equal(unit.reusable, false);
    assert.match(unit.source, /namespace icuda_u1 \{\n#line 1 "cell\[1\]"\nint counter = 0;\n#line 2 "cell\[1\]"\nint bump\(\)/);
    assert.match(unit.source, /static void icuda_body\(\) \{\n#line 3 "cell\[1\]"\nbump\(\);/);
    assert.match(unit.source, /extern "C" void icuda_run_u1\(\) \{ icuda_u1::icuda_body\(\); \}/);
  });

  test('a later cell sees earlier definitions through their declarations and using-declarations', async () => {
    const [, [second]] = await planCells(['#include <vector>\nstd::vector<int> v;\nint bump(int by);', 'v.push_back(bump(2));']);
    assert.match(second.source, /#line 1 "cell\[1\]"\n#include <vector>/, "the earlier cell's include comes first");
    assert.match(second.source, /namespace icuda_u1 \{\n#line 2 "cell\[1\]"\nextern std::vector<int> v;/);
    assert.match(second.source, /\nusing icuda_u1::v;\n/);
    assert.doesNotMatch(second.source, /using icuda_u1::bump/, 'a prototype of nothing defined is not a definition');
    assert.equal(second.record.ns, 'icuda_u2');
    assert.equal(second.reusable, true, 'no variable: run again, it is the same object');
  });

  test('the newest definition wins: a redefinition moves the using-declaration', async () => {
    const [, , [third]] = await planCells(['int f() { return 1; }', 'int f() { return 2; }', 'printf("%d", f());']);
    assert.match(third.source, /\nusing icuda_u2::f;\n/);
    assert.doesNotMatch(third.source, /icuda_u1/, 'the hidden definition is not even declared');
  });

  test('only the units a cell uses are carried into it', async () => {
    const [, , [third]] = await planCells(['int a = 1;', 'int b = 2;', 'a += 1;']);
    assert.match(third.source, /namespace icuda_u1 \{/);
    assert.doesNotMatch(third.source, /icuda_u2/);
  });

  test('a carried declaration sees the definitions its own cell saw, not newer ones', async () => {
    const state = new SessionState();
    await planCells(['struct P { int a; };', 'int area(P p) { return p.a; }', 'struct P { float x; };'], state);
    const [[fourth]] = await planCells(['printf("%d", area(::icuda_u1::P{3}));'], state, 4);
    assert.match(fourth.source, /namespace icuda_u2 \{\nusing icuda_u1::P;\n#line 1 "cell\[2\]"\nint area\(P p\);/);
    assert.deepEqual(
      closureOf(state.viewFor(['area'], new Set())).map((unit) => unit.id),
      [1, 2],
    );
  });

  test('an unchanged statements cell has the same key under a new execution count; a changed view changes it', async () => {
    const state = new SessionState();
    await planCells(['int x = 1;'], state);
    const [[a]] = await planCells(['x += 1;'], state, 2);
    const [[b]] = await planCells(['x += 1;'], state, 7);
    assert.equal(a.key, b.key);
    assert.match(b.source, /#line 1 "cell\[7\]"\nx \+= 1;/, 'diagnostics still name the cell that runs');
    await planCells(['int x = 5;'], state, 8);
    const [[c]] = await planCells(['x += 1;'], state, 9);
    assert.notEqual(c.key, a.key);
  });

  test('a cell that defines a variable is never reused; functions are; flags are part of the key', async () => {
    const state = new SessionState();
    const [[variable]] = await planCells(['int fresh = 0;'], state);
    assert.equal(variable.reusable, false, 'a variable starts fresh each time its cell runs');
    const [[functions]] = await planCells(['int twice(int v) { return 2 * v; }'], state, 2);
    assert.equal(functions.reusable, true);
    const syntax = await splitCell('int twice(int v) { return 2 * v; }');
    const again = planUnit(state, syntax.chunks, 9, 99, syntax.refs);
    const flagged = planUnit(state, syntax.chunks, 9, 100, syntax.refs, ['-DFAST']);
    assert.equal(again.key, functions.key, 'same text, another unit number: same key');
    assert.notEqual(flagged.key, functions.key);
  });

  test('<type_traits> is included only when an auto variable is carried', async () => {
    const [[first], [second]] = await planCells(['auto total = 0;', 'total += 1;']);
    assert.doesNotMatch(first.source, /type_traits/);
    assert.match(second.source, /^#include <type_traits>\n/);
    assert.match(second.source, /extern std::decay_t<decltype\(0\)> total;/);
  });

  test('a #define is undefined first, so a later cell may define it again', async () => {
    const [, [second]] = await planCells(['#define N 4', '#define N 8\nint arr[N];']);
    assert.match(second.source, /#undef N\n#line 1 "cell\[1\]"\n#define N 4\n[\s\S]*#undef N\n#line 1 "cell\[2\]"\n#define N 8/);
  });

  test('a user namespace is versioned inside ours; its names are used through it', async () => {
    const [, [second]] = await planCells(['namespace q { int z = 1; }', 'q::z += 1;']);
    assert.match(second.source, /namespace icuda_u1 \{\n#line 1 "cell\[1\]"\nnamespace q \{\nextern int z;\n\}/);
    assert.match(second.source, /namespace q \{\nusing icuda_u1::q::z;\n\}/);
  });
});
