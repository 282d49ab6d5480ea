// Stack traces through a built file name the source its map points to; frames elsewhere and
// files without a map are left as V8 wrote them.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire, SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { mappedFrame, mapStackTraces } from '../../src/stack-maps.js';

const require = createRequire(import.meta.url);

/** A source map of one generated line onto line 42, column 1 of ../src/thrower.ts ("AAyCA"). */
const MAP = { version: 3, sources: ['../src/thrower.ts'], names: [], mappings: 'AAyCA' };

describe('stack maps', () => {
  let dir: string;
  let previous: PropertyDescriptor | undefined;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'icuda-maps-'));
    await writeFile(join(dir, 'built.cjs'), "module.exports = function boom() { throw new Error('boom'); };\n");
    await writeFile(join(dir, 'built.cjs.map'), JSON.stringify(MAP));
    await writeFile(join(dir, 'unmapped.cjs'), "module.exports = function boom() { throw new TypeError('plain'); };\n");
    previous = Object.getOwnPropertyDescriptor(Error, 'prepareStackTrace');
    mapStackTraces(dir);
  });
  after(async () => {
    if (previous) Object.defineProperty(Error, 'prepareStackTrace', previous);
    else Reflect.deleteProperty(Error, 'prepareStackTrace');
    await rm(dir, { recursive: true, force: true });
  });

  test('a frame in a built file names the source line the map gives', () => {
    const boom = require(join(dir, 'built.cjs')) as () => void;
    const error = catchError(boom);
    const lines = error.stack!.split('\n');
    assert.equal(lines[0], 'Error: boom');
    assert.match(lines[1], new RegExp(`^    at boom \\(${escape(join(dir, '..', 'src', 'thrower.ts'))}:42:1\\)$`));
    assert.ok(
      lines.slice(2).some((line) => line.includes('stack-maps.test')),
      'the test frames follow, as V8 writes them',
    );
  });

  test('a built file without a map keeps its own place', () => {
    const boom = require(join(dir, 'unmapped.cjs')) as () => void;
    const lines = catchError(boom).stack!.split('\n');
    assert.equal(lines[0], 'TypeError: plain');
    assert.match(lines[1], new RegExp(`^    at boom \\(${escape(join(dir, 'unmapped.cjs'))}:1:\\d+\\)$`));
  });

  test('mappedFrame replaces only the place, and only when the map knows it', () => {
    const map = new SourceMap({ file: 'x.cjs', sourceRoot: '', sourcesContent: [], ...MAP });
    assert.equal(mappedFrame('f (/d/x.cjs:1:9)', '/d/x.cjs', 1, 9, map), 'f (/src/thrower.ts:42:1)');
    assert.equal(mappedFrame('async f (file:///d/x.cjs:1:9)', 'file:///d/x.cjs', 1, 9, map), 'async f (/src/thrower.ts:42:1)');
    assert.equal(mappedFrame('f (/d/x.cjs:7:1)', '/d/x.cjs', 7, 1, map), 'f (/d/x.cjs:7:1)', 'a line the map does not cover');
    assert.equal(mappedFrame('f (/d/x.cjs:1:9)', '/d/x.cjs', 1, 9, undefined), 'f (/d/x.cjs:1:9)');
  });
});

/** The error `f` throws. */
function catchError(f: () => void): Error {
  try {
    f();
  } catch (error) {
    return error as Error;
  }
  throw new Error('did not throw');
}

/** `text` as a literal inside a RegExp. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
