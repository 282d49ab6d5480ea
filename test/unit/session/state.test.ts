// The session's table of names: newest definition wins, forks do not leak, closures follow needs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Definition } from '../../../src/session/cell-model.js';
import { closureOf, SessionState, type UnitRecord } from '../../../src/session/state.js';

const def = (name: string, kind: Definition['kind'] = 'variable', path: string[] = []): Definition => ({
  name,
  path,
  kind,
  line: 1,
  signature: name,
});
const unit = (id: number, defs: Definition[], needs: UnitRecord[] = []): UnitRecord => ({
  id,
  ns: `icuda_u${id}`,
  cell: id,
  globals: '',
  block: '',
  defs,
  needs,
});

describe('SessionState', () => {
  test('a newer definition hides an older one of the same name', () => {
    const state = new SessionState();
    state.commit(unit(1, [def('x'), def('f', 'function')]));
    state.commit(unit(2, [def('x')]));
    const view = state.viewFor(['x', 'f', 'unknown'], new Set());
    assert.deepEqual(
      [...view].map(([name, v]) => `${name}@${v.unit.id}`),
      ['x@2', 'f@1'],
    );
    assert.equal(state.kindOf('f'), 'function');
    assert.equal(state.kindOf('x'), 'value');
    assert.equal(state.viewFor(['x'], new Set(['x'])).size, 0, "a cell's own names are its own");
  });

  test('names in namespaces are found by their last part', () => {
    const state = new SessionState();
    state.commit(unit(1, [def('z', 'variable', ['q'])]));
    assert.deepEqual([...state.viewFor(['z'], new Set()).keys()], ['q::z']);
  });

  test('a fork takes commits without changing the original', () => {
    const state = new SessionState();
    state.commit(unit(1, [def('x')]));
    const fork = state.fork();
    fork.commit(unit(2, [def('y')]));
    assert.equal(state.newest.has('y'), false);
    assert.equal(fork.newest.has('x'), true);
  });

  test('a unit committed again is the newest again, in forks too', () => {
    const state = new SessionState();
    const first = unit(1, [def('which', 'function')]);
    state.commit(first);
    state.commit(unit(2, [def('which', 'function')]));
    state.commit(first);
    assert.equal(state.units.length, 2);
    assert.equal(state.fork().viewFor(['which'], new Set()).get('which')?.unit.id, 1);
  });

  test('a closure holds the units used and the units they need, oldest first', () => {
    const a = unit(1, [def('P', 'type')]);
    const b = unit(2, [def('area', 'function')], [a]);
    const c = unit(3, [def('other')]);
    const state = new SessionState();
    for (const u of [a, b, c]) state.commit(u);
    assert.deepEqual(
      closureOf(state.viewFor(['area'], new Set())).map((u) => u.id),
      [1, 2],
    );
  });
});
