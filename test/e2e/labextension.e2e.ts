// icuda's JupyterLab extension in a real browser: CUDA highlighting (the `cm-cuda-*` classes on
// `__global__`, `threadIdx` and friends) in JupyterLab 4 cells, in a .cu file opened from the
// file browser, and in Notebook 7; the "compiling" indicator while nvcc runs; and a JupyterLab
// without the extension, where cells stay C++ as before. Screenshots: test-output/e2e/ext-*.png.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { after, before, describe, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { prebuiltLabextension } from '../../src/cli/labextension.js';
import { packageRoot } from '../../src/package-info.js';
import { cells, executionCount, findChromium, launch, outputDir, outputOf, runScenario, runInLastCell, screenshot } from './browser.js';
import { startLab, venvBin, type LabServer } from './lab-server.js';

const chromiumPath = findChromium();
const skip =
  chromiumPath.missing ??
  (existsSync(join(venvBin, 'jupyter-lab')) ? undefined : 'no JupyterLab in .venv (run scripts/setup-e2e.sh)') ??
  (existsSync(join(packageRoot, 'node_modules', 'playwright-core')) ? undefined : 'playwright-core is not installed (npm ci)') ??
  (existsSync(join(prebuiltLabextension, 'package.json'))
    ? undefined
    : 'the JupyterLab extension is not built (npm run build:labextension)');
if (skip && process.env.CI) throw new Error(`CI must run the browser tests: ${skip}`);

const SAXPY = `#include <cstdio>
__global__ void scale(float *x, float a, int n) {
    __shared__ float tile[256];
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    tile[threadIdx.x] = i < n ? x[i] * a : 0.0f;
    __syncthreads();
    if (i < n) x[i] = tile[threadIdx.x];
}
int main() {
    float *x;
    cudaMalloc(&x, 256 * sizeof(float));
    scale<<<1, 256>>>(x, 2.0f, 256);
    printf("%s\\n", cudaGetErrorString(cudaDeviceSynchronize()));
    return 0;
}
`;

/** A span of the editor holding exactly `text`. */
function token(editor: Locator, text: string): Locator {
  return editor.locator('.cm-line span').filter({ hasText: new RegExp(`^${text.replace(/[<>]/g, '\\$&')}$`) });
}

/** The class list and computed colour of the first span holding `text`. */
async function look(editor: Locator, text: string): Promise<{ classes: string[]; color: string }> {
  const span = token(editor, text).first();
  await span.waitFor();
  return span.evaluate((el) => ({ classes: [...el.classList], color: getComputedStyle(el).color }));
}

/** Asserts the CUDA tokens of SAXPY carry their classes and a theme colour unlike plain text. */
async function assertCudaHighlighting(editor: Locator): Promise<void> {
  await editor.locator('.cm-content[data-language="cuda"]').waitFor();
  const plain = await editor.locator('.cm-content').evaluate((el) => getComputedStyle(el).color);
  const expected: [string, string][] = [
    ['__global__', 'cm-cuda-qualifier'],
    ['__shared__', 'cm-cuda-qualifier'],
    ['threadIdx', 'cm-cuda-builtin'],
    ['blockIdx', 'cm-cuda-builtin'],
    ['blockDim', 'cm-cuda-builtin'],
    ['__syncthreads', 'cm-cuda-intrinsic'],
    ['<<<', 'cm-cuda-launch'],
    ['>>>', 'cm-cuda-launch'],
  ];
  for (const [text, cls] of expected) {
    const { classes, color } = await look(editor, text);
    assert.ok(classes.includes(cls), `${text} has class ${cls}: ${classes.join(' ')}`);
    assert.ok(classes.length >= 2, `${text} also has the theme's highlight class: ${classes.join(' ')}`);
    assert.notEqual(color, plain, `${text} is coloured, not plain text`);
  }
  const keyword = await look(editor, 'return');
  assert.equal((await look(editor, '__global__')).color, keyword.color, '__global__ is coloured as a keyword');
  assert.equal(await editor.locator('[class*="cm-cuda-"]', { hasText: 'cudaMalloc' }).count(), 0, 'an ordinary call is not CUDA-marked');
}

describe('icuda JupyterLab extension in a real browser', { skip, timeout: 900_000 }, () => {
  let server: LabServer;
  let browser: Browser;
  let page: Page;
  let notebook = '';

  before(async () => {
    server = await startLab(outputDir, { logName: 'ext-server-and-kernel.log' });
    await writeFile(join(server.root, 'saxpy.cu'), SAXPY);
    browser = await launch(chromiumPath.path!);
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(60_000);
  });
  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
  });

  const scenario = (name: string, body: () => Promise<void>) => runScenario(page, server, name, body);

  test('1. JupyterLab loads the extension that icuda install put beside the kernelspec', () =>
    scenario('ext-1-loaded', async () => {
      const listed = spawnSync(join(venvBin, 'jupyter'), ['labextension', 'list'], { env: server.env, encoding: 'utf8' });
      const line = `${listed.stdout}${listed.stderr}`.split('\n').find((l) => l.includes('icuda-jupyterlab'));
      assert.match(
        stripVTControlCharacters(line ?? ''),
        /icuda-jupyterlab v\S+ enabled\s+OK/,
        'jupyter labextension list shows it enabled and OK',
      );
      await page.goto(server.at('/lab'));
      const config = JSON.parse((await page.locator('#jupyter-config-data').textContent()) ?? '{}');
      const names = (config.federated_extensions ?? []).map((e: { name: string }) => e.name);
      assert.ok(names.includes('icuda-jupyterlab'), `federated extensions: ${names.join(', ')}`);
      await page.locator('.jp-LauncherCard[data-category="Notebook"][title="CUDA"]').waitFor();
    }));

  test('2. a CUDA cell in JupyterLab: __global__, threadIdx and <<< >>> carry CUDA token classes', () =>
    scenario('ext-2-lab-cell', async () => {
      await page.locator('.jp-LauncherCard[data-category="Notebook"][title="CUDA"]').click();
      await page.locator('.jp-NotebookPanel .jp-KernelName', { hasText: 'CUDA' }).waitFor();
      await page.locator('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status="idle"]').waitFor();
      const cell = cells(page).first();
      await cell.locator('.cm-content').click();
      await page.keyboard.insertText(SAXPY);
      notebook = await save(page);
      const saved = JSON.parse(await readFile(join(server.root, notebook), 'utf8'));
      const mode = saved.metadata.language_info?.codemirror_mode;
      assert.equal(
        mode?.name,
        'cuda',
        `the kernel's language_info.codemirror_mode names the extension's language: ${JSON.stringify(mode)}`,
      );
      await assertCudaHighlighting(cell);
      await cell.screenshot({ path: join(outputDir, 'ext-2-lab-cell-closeup.png') });
    }));

  test('3. saxpy.cu opened from the file browser opens in the editor, highlighted as CUDA', () =>
    scenario('ext-3-cu-file', async () => {
      const item = page.locator('.jp-DirListing-item', { has: page.locator('.jp-DirListing-itemText', { hasText: /^saxpy\.cu$/ }) });
      if (!(await item.isVisible())) await page.locator('.jp-SideBar [data-id="filebrowser"]').click();
      await item.dblclick();
      const editor = page.locator('.jp-FileEditor:visible');
      await editor.waitFor();
      await assertCudaHighlighting(editor);
      await editor.screenshot({ path: join(outputDir, 'ext-3-cu-file-closeup.png') });
    }));

  test('4. the compiling indicator shows while nvcc compiles and goes after; again after a restart', async () => {
    await scenario('ext-4-compiling', async () => {
      await page.locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: notebook }).click();
      await cells(page).last().locator('.cm-content').click(); // a new cell below SAXPY, kept for test 5
      await page.keyboard.press('Escape');
      await page.keyboard.press('b');
      await cells(page).nth(1).waitFor();
      await expectIndicator(page, 'lab');
      await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Kernel$/ }).click();
      await page.locator('.lm-Menu-itemLabel', { hasText: /^Restart Kernel…$/ }).click();
      await page.locator('.jp-Dialog .jp-mod-accept').click();
      await page.locator('.jp-Dialog').waitFor({ state: 'detached' });
      await expectIndicator(page, 'lab-after-restart');
    });
  });

  test('5. Notebook 7: the same notebook and saxpy.cu are highlighted as CUDA; its cell shows the compiling mark', () =>
    scenario('ext-5-notebook7', async () => {
      if (!notebook) throw new Error('test 2 saved no notebook');
      const nb7 = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      nb7.setDefaultTimeout(60_000);
      try {
        await nb7.goto(server.at(`/notebooks/${notebook}`));
        await nb7.locator('.jp-NotebookPanel .jp-KernelName, #jp-top-panel .jp-KernelName', { hasText: 'CUDA' }).first().waitFor();
        const cell = cells(nb7).first();
        await assertCudaHighlighting(cell);
        await cell.screenshot({ path: join(outputDir, 'ext-5-notebook7-cell-closeup.png') });
        await screenshot(nb7, 'ext-5-notebook7-notebook');
        await expectIndicator(nb7, 'notebook7'); // no status bar here: the cell's mark says it
        await nb7.goto(server.at('/edit/saxpy.cu'));
        const editor = nb7.locator('.jp-FileEditor');
        await assertCudaHighlighting(editor);
        await screenshot(nb7, 'ext-5-notebook7-cu-file');
      } finally {
        await nb7.close();
      }
    }));
});

describe('JupyterLab without the extension', { skip, timeout: 600_000 }, () => {
  let server: LabServer;
  let browser: Browser;

  before(async () => {
    server = await startLab(outputDir, { labextension: false, logName: 'ext-absent-server-and-kernel.log' });
    browser = await launch(chromiumPath.path!);
  });
  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
  });

  test('6. cells of the icuda kernel stay C++, as before the extension existed', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(60_000);
    await page.goto(server.at('/lab'));
    const config = JSON.parse((await page.locator('#jupyter-config-data').textContent()) ?? '{}');
    assert.deepEqual(
      (config.federated_extensions ?? []).filter((e: { name: string }) => e.name === 'icuda-jupyterlab'),
      [],
    );
    await page.locator('.jp-LauncherCard[data-category="Notebook"][title="CUDA"]').click();
    await page.locator('.jp-NotebookPanel .jp-KernelName', { hasText: 'CUDA' }).waitFor();
    await page.locator('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status="idle"]').waitFor();
    const cell = cells(page).first();
    await cell.locator('.cm-content').click();
    await page.keyboard.insertText(SAXPY);
    await cell.locator('.cm-content[data-language="cpp"]').waitFor();
    const include = await look(cell, '#include');
    assert.notEqual(include.color, await cell.locator('.cm-content').evaluate((el) => getComputedStyle(el).color), '#include is coloured');
    assert.equal(await cell.locator('[class*="cm-cuda-"]').count(), 0, 'no CUDA classes without the extension');
    await cell.screenshot({ path: join(outputDir, 'ext-6-without-extension-cell-closeup.png') });
    const ran = await runInLastCell(page, '#include <cstdio>\nint main() { printf("plain C++ still runs\\n"); }\n');
    await outputOf(ran).filter({ hasText: 'plain C++ still runs' }).waitFor({ timeout: 120_000 });
    await screenshot(page, 'ext-6-without-extension');
    await page.close();
  });
});

/** Saves the notebook in view (Ctrl+S) and answers its file name. */
async function save(page: Page): Promise<string> {
  await page.keyboard.press('ControlOrMeta+s');
  await page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current:not(.jp-mod-dirty)').waitFor();
  const name = (await page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel').innerText()).trim();
  assert.match(name, /\.ipynb$/);
  return name;
}

/** Runs a cell no cache has seen and watches it: marked "compiling" (and, in JupyterLab, the
 * status bar says so with its number) while nvcc runs, unmarked once the program ran. */
async function expectIndicator(page: Page, name: string): Promise<void> {
  const code = `// ${name} ${Date.now()}\n#include <cstdio>\nint main() { printf("compiled and ran\\n"); }\n`;
  const cell = await runInLastCell(page, code);
  const statusBar = (await page.locator('#jp-main-statusbar').count()) > 0;
  const item = page.locator('.icuda-CompileStatus');
  await cell.and(page.locator('.icuda-mod-compiling')).waitFor({ timeout: 60_000 });
  const said = statusBar ? await item.filter({ hasText: /Compiling \[\d+\]…/ }).textContent() : '';
  await screenshot(page, `ext-4-compiling-${name}`);
  await outputOf(cell).filter({ hasText: 'compiled and ran' }).waitFor({ timeout: 120_000 });
  const count = await executionCount(cell);
  assert.equal(await cell.evaluate((el) => el.classList.contains('icuda-mod-compiling')), false, 'the mark goes once it runs');
  if (statusBar) {
    assert.equal(said, `Compiling [${count}]…`, 'the status bar named the cell being compiled');
    assert.equal(((await item.textContent()) ?? '').trim(), '', 'and says nothing once it runs');
  }
}
