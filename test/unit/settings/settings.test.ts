// The settings table: defaults, valid values of each kind, and an invalid value of each kind
// (a warning naming the variable, the value and the default used, or an error where a default
// would be a wrong guess); per-cell overrides; and the README's table kept equal to the table.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { packageRoot } from '../../../src/package-info.js';
import { describeSettings, loadSettings, settingsTable, withOverrides } from '../../../src/settings/settings.js';

describe('settings', () => {
  test('defaults when nothing is set', () => {
    const s = loadSettings({ HOME: '/h' });
    assert.equal(s.timeoutS, undefined);
    assert.equal(s.compileTimeoutS, 300);
    assert.equal(s.maxFileSize, 2 * 1024 ** 3);
    assert.equal(s.maxProcesses, 4096);
    assert.equal(s.outputLimit, 4 * 1024 ** 2);
    assert.equal(s.cacheDir, '/h/.cache/icuda');
    assert.equal(s.executor, 'local');
    assert.equal(s.tls, 'auto');
    assert.equal(s.gpuArch, undefined);
    assert.deepEqual([s.warnings, s.errors], [[], []]);
  });

  test('valid values of each kind are parsed', () => {
    const s = loadSettings({
      ICUDA_TIMEOUT: '2.5',
      ICUDA_MAX_FILE_SIZE: '512K',
      ICUDA_MAX_PROCESSES: '64',
      ICUDA_LOG_LEVEL: 'debug',
      ICUDA_CACHE_DIR: '/c',
      ICUDA_EXECUTOR: 'remote',
      ICUDA_HOST: 'gpu-box:50051',
      ICUDA_GPU_ARCH: 'sm_90',
      ICUDA_HISTORY: 'off',
    });
    assert.deepEqual(
      [s.timeoutS, s.maxFileSize, s.maxProcesses, s.logLevel, s.cacheDir, s.executor, s.host, s.gpuArch, s.history],
      [2.5, 512 * 1024, 64, 'debug', '/c', 'remote', 'gpu-box:50051', 'sm_90', undefined],
    );
    assert.equal(loadSettings({ ICUDA_GPU_ARCH: '' }).gpuArch, '', 'empty means -arch=native');
    assert.equal(loadSettings({ ICUDA_GPU_ARCH: 'native' }).gpuArch, '');
  });

  test('an invalid value of each kind warns, naming variable, value and default, and the default is used', () => {
    const cases: [string, string, string, unknown][] = [
      ['ICUDA_TIMEOUT', 'soon', 'timeoutS', undefined], // seconds
      ['ICUDA_TIMEOUT', '-1', 'timeoutS', undefined],
      ['ICUDA_COMPILE_TIMEOUT', 'forever', 'compileTimeoutS', 300],
      ['ICUDA_MAX_FILE_SIZE', 'lots', 'maxFileSize', 2 * 1024 ** 3], // size
      ['ICUDA_MAX_PROCESSES', '2.5', 'maxProcesses', 4096], // count
      ['ICUDA_LOG_LEVEL', 'loud', 'logLevel', undefined], // choice
      ['ICUDA_GPU_ARCH', 'hopper', 'gpuArch', undefined], // pattern
      ['ICUDA_CACHE_DIR', '   ', 'cacheDir', '/h/.cache/icuda'], // path
    ];
    for (const [variable, value, key, fallback] of cases) {
      const s = loadSettings({ HOME: '/h', [variable]: value });
      assert.equal(s[key as keyof typeof s], fallback, variable);
      assert.equal(s.warnings.length, 1, variable);
      assert.match(
        s.warnings[0],
        new RegExp(`^${variable}="${value.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}" is not .*; using the default`),
        variable,
      );
      assert.deepEqual(s.errors, []);
    }
  });

  test('where a default would be a wrong guess (the executor, the host, TLS), an invalid value is an error', () => {
    for (const [variable, value] of [
      ['ICUDA_EXECUTOR', 'cloud'],
      ['ICUDA_HOST', 'no port'],
      ['ICUDA_TLS', 'maybe'],
    ]) {
      const s = loadSettings({ [variable]: value });
      assert.deepEqual(s.warnings, []);
      assert.equal(s.errors.length, 1);
      assert.match(s.errors[0], new RegExp(`^${variable}="${value}" is not `));
    }
  });

  test("a cell's %env overrides only the variables it sets", () => {
    const base = loadSettings({ ICUDA_MAX_PROCESSES: '100', ICUDA_MAX_FILE_SIZE: '1G' });
    const cell = withOverrides(base, { ICUDA_MAX_FILE_SIZE: '1M', UNRELATED: 'x' });
    assert.deepEqual([cell.maxFileSize, cell.maxProcesses], [1024 ** 2, 100]);
    assert.equal(withOverrides(base, { UNRELATED: 'x' }), base);
  });

  test("the README's environment table is the table's", async () => {
    const readme = await readFile(join(packageRoot, 'README.md'), 'utf8');
    const between = /<!-- settings:begin[^>]*-->\n([\s\S]*?)<!-- settings:end -->/.exec(readme);
    assert.ok(between, 'README.md has a settings table between <!-- settings:begin --> and <!-- settings:end -->');
    assert.equal(between[1], settingsTable(), 'regenerate it with: npm run docs');
    assert.equal(describeSettings().length, settingsTable().split('\n').length - 3);
  });
});
