// History: selection (tail, range, search, unique), persistence, sessions and the bound.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { globToRegExp, MAX_ENTRIES, openHistory } from '../../../src/kernel/history.js';
import { loadSettings } from '../../../src/settings/settings.js';
import type { HistoryQuery } from '../../../src/protocol/interpreter.js';
import { silentLogger } from '../../../src/log.js';

const q = (extra: Partial<HistoryQuery>): HistoryQuery => ({ histAccessType: 'tail', output: false, raw: true, ...extra });

describe('history', () => {
  test('the file lives in the Jupyter data dir, else XDG, else ~/.local/share; ICUDA_HISTORY overrides', () => {
    assert.equal(loadSettings({ JUPYTER_DATA_DIR: '/j', XDG_DATA_HOME: '/x', HOME: '/h' }).history, join('/j', 'icuda', 'history.jsonl'));
    assert.equal(loadSettings({ XDG_DATA_HOME: '/x', HOME: '/h' }).history, join('/x', 'icuda', 'history.jsonl'));
    assert.equal(loadSettings({ HOME: '/h' }).history, join('/h', '.local', 'share', 'icuda', 'history.jsonl'));
    assert.equal(loadSettings({ HOME: '/h', ICUDA_HISTORY: 'off' }).history, undefined);
    assert.equal(loadSettings({}).history, undefined, 'no home at all: memory only');
  });

  test('globs match the whole cell: * and ? span lines, other characters are literal', () => {
    assert.ok(globToRegExp('*printf*').test('int main() {\n  printf("x");\n}'));
    assert.ok(!globToRegExp('printf').test('printf("x")'));
    assert.ok(globToRegExp('a?c').test('abc'));
    assert.ok(!globToRegExp('a.c').test('abc'));
  });

  test('sessions number on from the file; tail, range, search and unique; the last entries kept', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'icuda-history-'));
    const file = join(dir, 'icuda', 'history.jsonl');
    try {
      const first = openHistory(file, silentLogger());
      ['a', 'b', 'a', 'c'].forEach((code, i) => first.record(i + 1, code));
      await first.flush();
      const second = openHistory(file, silentLogger());
      second.record(1, 'd');
      assert.deepEqual(await second.query(q({ n: 3 })), [
        [1, 3, 'a'],
        [1, 4, 'c'],
        [2, 1, 'd'],
      ]);
      assert.deepEqual(await second.query(q({ n: 10, unique: true })), [
        [1, 2, 'b'],
        [1, 3, 'a'],
        [1, 4, 'c'],
        [2, 1, 'd'],
      ]);
      assert.deepEqual(await second.query(q({ histAccessType: 'range', session: -1, start: 2, stop: 4 })), [
        [1, 2, 'b'],
        [1, 3, 'a'],
      ]);
      assert.deepEqual(await second.query(q({ histAccessType: 'range', session: 0 })), [[2, 1, 'd']]);
      assert.deepEqual(await second.query(q({ histAccessType: 'search', pattern: 'a' })), [
        [1, 1, 'a'],
        [1, 3, 'a'],
      ]);
      assert.deepEqual(await second.query(q({ histAccessType: 'search', pattern: '*', n: 1, output: true })), [[2, 1, ['d', null]]]);

      const many = Array.from({ length: MAX_ENTRIES + 5 }, (_, i) => JSON.stringify({ session: 1, line: i, source: `x${i}` }) + '\n').join(
        '',
      );
      await writeFile(file, many + 'not json\n');
      const third = openHistory(file, silentLogger());
      const tail = await third.query(q({ n: MAX_ENTRIES + 10 }));
      assert.equal(tail.length, MAX_ENTRIES);
      assert.deepEqual(tail[0], [1, 5, 'x5']);
      assert.equal((await readFile(file, 'utf8')).trimEnd().split('\n').length, MAX_ENTRIES, 'the file is trimmed');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
