// Installing and removing the JupyterLab extension's files beside the kernelspec, from a small
// stand-in for the prebuilt extension: copied whole, stale files of an older build gone, kept
// while another icuda kernelspec uses it, and a clear reason when it was never built.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { installKernelspec, uninstallKernelspec } from '../../../src/cli/install.js';
import type { SpecLocation } from '../../../src/cli/jupyter-paths.js';
import { LABEXTENSION_NAME, installLabextension, labextensionsDir, uninstallLabextension } from '../../../src/cli/labextension.js';
import { loadSettings } from '../../../src/settings/settings.js';

const settings = loadSettings({ HOME: '/h' });

describe('JupyterLab extension files', () => {
  let home: string;
  let built: string;
  let location: SpecLocation;
  let target: string;
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'icuda-labext-'));
    built = join(home, 'built', LABEXTENSION_NAME);
    await mkdir(join(built, 'static'), { recursive: true });
    await writeFile(join(built, 'package.json'), '{"name":"icuda-jupyterlab","version":"9.9.9"}');
    await writeFile(join(built, 'static', 'remoteEntry.abc.js'), '// entry');
    location = { kind: 'prefix', prefix: join(home, 'prefix') };
    target = join(home, 'prefix', 'share', 'jupyter', 'labextensions', LABEXTENSION_NAME);
  });
  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  test('labextensions/ sits beside kernels/ for --user, --sys-prefix and --prefix', () => {
    const env = loadSettings({ JUPYTER_DATA_DIR: '/d', VIRTUAL_ENV: '/v' });
    assert.equal(labextensionsDir({ kind: 'user' }, env), join('/d', 'labextensions'));
    assert.equal(labextensionsDir({ kind: 'sys-prefix' }, env), join('/v', 'share', 'jupyter', 'labextensions'));
    assert.equal(labextensionsDir({ kind: 'prefix', prefix: '/p' }, env), join('/p', 'share', 'jupyter', 'labextensions'));
  });

  test('install copies the built extension; a reinstall leaves no file of the older build', async () => {
    await mkdir(join(target, 'static'), { recursive: true });
    await writeFile(join(target, 'static', 'stale.old.js'), '// from an older build');
    assert.deepEqual(await installLabextension(location, settings, built), { installed: target });
    assert.equal(JSON.parse(await readFile(join(target, 'package.json'), 'utf8')).version, '9.9.9');
    assert.deepEqual(await readdir(join(target, 'static')), ['remoteEntry.abc.js']);
  });

  test('an unbuilt extension is not installed, and the reason says how to build it', async () => {
    const result = await installLabextension(location, settings, join(home, 'never-built'));
    assert.ok('missing' in result);
    assert.match(result.missing, /npm run build:labextension/);
  });

  test('uninstall keeps the extension while another icuda kernelspec is there, then removes it', async () => {
    const lines: string[] = [];
    const say = (line: string) => void lines.push(line);
    await installKernelspec({ location, name: 'icuda-a', displayName: 'A', say }, settings);
    await installKernelspec({ location, name: 'icuda-b', displayName: 'B', say }, settings);
    await installLabextension(location, settings, built);
    await uninstallKernelspec(location, 'icuda-a', settings, say);
    assert.match(lines.at(-1)!, /Kept JupyterLab extension icuda-jupyterlab .*still used by kernelspec icuda-b/);
    await readFile(join(target, 'package.json'));
    await uninstallKernelspec(location, 'icuda-b', settings, say);
    assert.match(lines.at(-1)!, /Removed JupyterLab extension icuda-jupyterlab from /);
    await assert.rejects(readdir(target), { code: 'ENOENT' });
    assert.deepEqual(await uninstallLabextension(location, settings), {}, 'nothing left to remove');
  });

  test('a kernelspec of another kernel does not keep the extension', async () => {
    const other = join(home, 'prefix', 'share', 'jupyter', 'kernels', 'python3');
    await mkdir(other, { recursive: true });
    await writeFile(
      join(other, 'kernel.json'),
      JSON.stringify({ argv: ['python', '-m', 'ipykernel_launcher', '-f', '{connection_file}'] }),
    );
    await installLabextension(location, settings, built);
    assert.deepEqual(await uninstallLabextension(location, settings), { removed: target });
  });
});
