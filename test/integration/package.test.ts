// The npm package as a user gets it: `npm pack` holds only what icuda needs; the tarball
// installs with npm into a fresh prefix, and its `icuda` registers the kernelspec and runs a
// notebook. Dependencies come from the npm cache or registry (--prefer-offline).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LABEXTENSION_NAME, prebuiltLabextension } from '../../src/cli/labextension.js';
import { packageRoot, packageVersion } from '../../src/package-info.js';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('npm package', () => {
  let home: string;
  let tarball: string;
  let files: string[];
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'icuda-pack-'));
    // dist/ is already built by `npm test`; --ignore-scripts skips prepack's second build.
    const packed = JSON.parse(
      execFileSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', home], {
        cwd: packageRoot,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    tarball = join(home, packed[0].filename);
    files = packed[0].files.map((f: { path: string }) => f.path);
  });
  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  test('holds bin, the bundles and their source maps, dist/src, the grammar, the runner source, include, kernelspec, proto, README and the built extension, nothing else', () => {
    const top = new Set(files.map((f) => (f.startsWith('dist/') ? f.split('/').slice(0, 2).join('/') : f.split('/')[0])));
    const bundles = ['cli', 'execa', 'icuda', 'interpreter', 'kernel'].flatMap((name) => [`dist/${name}.cjs`, `dist/${name}.cjs.map`]);
    const built = existsSync(join(prebuiltLabextension, 'package.json')); // npm run build:labextension
    const expected = [
      'README.md',
      'bin',
      ...bundles,
      'dist/src',
      'grammar',
      'include',
      'kernelspec',
      'package.json',
      'proto',
      ...(built ? ['share'] : []),
      'src',
    ];
    assert.deepEqual([...top].sort(), expected.sort());
    if (built)
      assert.ok(files.includes(`share/jupyter/labextensions/${LABEXTENSION_NAME}/package.json`), 'the built extension is in the package');
    for (const needed of [
      'bin/icuda.js',
      'bin/package.json',
      'dist/src/main.js',
      'dist/src/cli/run-command.js',
      'include/icuda_prelude.h',
      'kernelspec/logo-64x64.png',
      'proto/compute.proto',
      'grammar/tree-sitter-cuda.wasm',
      'src/session/native/runner.cpp',
    ]) {
      assert.ok(files.includes(needed), `${needed} is in the package`);
    }
    assert.deepEqual(
      files.filter(
        (f) =>
          (f.endsWith('.map') && !bundles.includes(f)) ||
          f.includes('/test/') ||
          (f.startsWith('src/') && !f.startsWith('src/session/native/') && !f.endsWith('README.md')),
      ),
      [],
    );
  });

  test('installs with npm; its icuda installs the kernelspec and runs a notebook', async (t) => {
    const prefix = join(home, 'prefix');
    const install = spawnSync(npm, ['install', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    if (install.status !== 0 && /ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNREFUSED/.test(install.stderr) && !process.env.CI) {
      t.skip('the npm registry is unreachable and the cache lacks a dependency');
      return;
    }
    assert.equal(install.status, 0, install.stderr);
    const bin = join(prefix, 'node_modules', '.bin', 'icuda');
    const env = { ...process.env, JUPYTER_DATA_DIR: join(home, 'data'), TMPDIR: home };
    assert.equal(execFileSync(bin, ['--version'], { env, encoding: 'utf8' }).trim(), packageVersion);
    execFileSync(bin, ['install', '--user'], { env, stdio: 'pipe' });
    if (existsSync(join(prebuiltLabextension, 'package.json'))) {
      // the package's own copy of the extension, installed beside the kernelspec
      await readFile(join(home, 'data', 'labextensions', LABEXTENSION_NAME, 'package.json'));
    }
    const spec = JSON.parse(await readFile(join(home, 'data', 'kernels', 'icuda', 'kernel.json'), 'utf8'));
    assert.ok(
      spec.argv.some((a: string) => a.startsWith(join(prefix, 'node_modules', 'icuda'))),
      `kernel.json starts the installed icuda: ${spec.argv}`,
    );
    const nb = join(home, 'one.ipynb');
    await writeFile(
      nb,
      JSON.stringify({
        nbformat: 4,
        nbformat_minor: 5,
        metadata: {},
        cells: [
          {
            cell_type: 'code',
            id: 'a',
            metadata: {},
            execution_count: null,
            outputs: [],
            source: '#include <cstdio>\nint main() { printf("from the package\\n"); }\n',
          },
        ],
      }),
    );
    const run = spawnSync(bin, ['run', nb, '-o', join(home, 'one.out.ipynb')], { env, encoding: 'utf8', timeout: 240_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /from the package/);
  });
});
