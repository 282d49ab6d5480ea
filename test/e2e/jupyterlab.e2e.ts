// icuda in the user's hands: JupyterLab and Notebook 7 from .venv, driven in Debian's headless
// chromium. Each scenario waits on page state (never a fixed sleep), saves a screenshot under
// test-output/e2e/, and on failure a screenshot and the server's log (the kernel's included).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { packageRoot } from '../../src/package-info.js';
import {
  cells,
  executionCount,
  findChromium,
  launch,
  outputDir,
  outputOf,
  runScenario,
  promptOf,
  runInLastCell,
  screenshot,
} from './browser.js';
import { startLab, venvBin, type LabServer } from './lab-server.js';

const chromiumPath = findChromium();
const skip =
  chromiumPath.missing ??
  (existsSync(join(venvBin, 'jupyter-lab')) ? undefined : 'no JupyterLab in .venv (run scripts/setup-e2e.sh)') ??
  (existsSync(join(packageRoot, 'node_modules', 'playwright-core')) ? undefined : 'playwright-core is not installed (npm ci)');
if (skip && process.env.CI) throw new Error(`CI must run the browser tests: ${skip}`);

const STREAM =
  '#include <cstdio>\n#include <unistd.h>\nint main() {\n    printf("first line\\n");\n    sleep(2);\n    printf("second line\\n");\n}\n';
const COMPILE_ERROR = '#include <cstdio>\nint main() { undeclared_thing = 1; }\n';
const HELLO = (word: string) => `#include <cstdio>\nint main() { printf("${word}\\n"); }\n`;
const LOOP = '#include <cstdio>\n#include <unistd.h>\nint main() {\n    printf("spinning\\n");\n    for (;;) sleep(1);\n}\n';
const BENCH = '%bench -n 3 -w 1\n#include <cstdio>\nint main() { volatile double s = 0; for (int i = 0; i < 1000000; i++) s += i; }\n';

describe('JupyterLab and Notebook 7 in a real browser', { skip, timeout: 900_000 }, () => {
  let server: LabServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    await rm(outputDir, { recursive: true, force: true }); // this run's screenshots and logs only
    server = await startLab(outputDir);
    browser = await launch(chromiumPath.path!);
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(60_000);
  });
  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
  });

  const scenario = (name: string, body: () => Promise<void>) => runScenario(page, server, name, body);

  test('1. the launcher shows CUDA with its logo; a new notebook edits as C++ (or CUDA: labextension.e2e.ts)', () =>
    scenario('1-launcher', async () => {
      await page.goto(server.at('/lab'));
      const card = page.locator('.jp-LauncherCard[data-category="Notebook"][title="CUDA"]');
      await card.waitFor();
      const logo = card.locator('img.jp-Launcher-kernelIcon');
      assert.match((await logo.getAttribute('src')) ?? '', /\/kernelspecs\/icuda\/logo/);
      assert.ok(await logo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), 'the logo image loaded');
      await card.click();
      await page.locator('.jp-NotebookPanel .jp-KernelName', { hasText: 'CUDA' }).waitFor();
      const cell = cells(page).first();
      await cell.locator('.cm-content').click();
      await page.keyboard.insertText('#include <cstdio>\nint main() { return 0; }');
      await cell.locator('.cm-content[data-language="cpp"], .cm-content[data-language="cuda"]').waitFor();
      await cell.locator('.cm-line span', { hasText: '#include' }).waitFor();
    }));

  test('2. output streams into the page while the cell is still running', () =>
    scenario('2-streaming', async () => {
      const cell = await runInLastCell(page, STREAM);
      await outputOf(cell).filter({ hasText: 'first line' }).waitFor({ timeout: 120_000 });
      assert.equal((await promptOf(cell).innerText()).trim(), '[*]:', 'the cell is still busy when the first line shows');
      assert.doesNotMatch(await outputOf(cell).innerText(), /second line/);
      await outputOf(cell).filter({ hasText: 'second line' }).waitFor({ timeout: 30_000 });
      await executionCount(cell);
    }));

  test('3. a compile error renders as an error with the cell line number; the next cell runs', () =>
    scenario('3-compile-error', async () => {
      const bad = await runInLastCell(page, COMPILE_ERROR);
      const error = bad.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]', { hasText: 'undeclared_thing' });
      await error.waitFor({ timeout: 120_000 });
      assert.match(await error.innerText(), /cell\[\d+\]\(2\): error/);
      const next = await runInLastCell(page, HELLO('after the error'));
      await outputOf(next).filter({ hasText: 'after the error' }).waitFor({ timeout: 120_000 });
    }));

  test('4. the toolbar interrupt button stops an endless loop; the kernel lives on', () =>
    scenario('4-interrupt', async () => {
      const loop = await runInLastCell(page, LOOP);
      await outputOf(loop).filter({ hasText: 'spinning' }).waitFor({ timeout: 120_000 });
      const clicked = Date.now();
      await page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) jp-button[data-command="notebook:interrupt-kernel"]').click();
      await outputOf(loop)
        .filter({ hasText: /Interrupted/ })
        .waitFor({ timeout: 15_000 });
      const stoppedInMs = Date.now() - clicked;
      assert.ok(stoppedInMs < 15_000, `stopped ${stoppedInMs} ms after the click`);
      const count = await executionCount(loop);
      const next = await runInLastCell(page, HELLO('still alive'));
      await outputOf(next).filter({ hasText: 'still alive' }).waitFor({ timeout: 120_000 });
      assert.equal(await executionCount(next), count + 1);
    }));

  test('5. restart from the Kernel menu; then a cell runs', () =>
    scenario('5-restart', async () => {
      await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Kernel$/ }).click();
      await page.locator('.lm-Menu-itemLabel', { hasText: /^Restart Kernel…$/ }).click();
      await page.locator('.jp-Dialog .jp-mod-accept').click();
      await page.locator('.jp-Dialog').waitFor({ state: 'detached' });
      const cell = await runInLastCell(page, HELLO('after restart'));
      await outputOf(cell).filter({ hasText: 'after restart' }).waitFor({ timeout: 120_000 });
      assert.equal(await executionCount(cell), 1, 'a restarted kernel counts from 1');
    }));

  test('6. Tab completes cudaMal with cudaMalloc; Shift+Tab documents cudaMemcpy', () =>
    scenario('6-completion', async () => {
      const cell = cells(page).last();
      await cell.locator('.cm-content').click();
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.insertText('int main() { cudaMal');
      await page.keyboard.press('Tab');
      await page.locator('.jp-Completer .jp-Completer-item .jp-Completer-match', { hasText: /^cudaMalloc$/ }).waitFor({ timeout: 30_000 });
      await screenshot(page, '6-completion-list');
      await page.keyboard.press('Escape');
      await cell.locator('.cm-content').click();
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.insertText('int main() { cudaMemcpy');
      await page.keyboard.press('Shift+Tab');
      const tooltip = page.locator('.jp-Tooltip');
      await tooltip.waitFor({ timeout: 30_000 });
      assert.match(await tooltip.innerText(), /cudaMemcpy/);
      await page.keyboard.press('Escape');
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.press('Delete');
    }));

  test('7. %gpuinfo renders an HTML table and %bench a Vega-Lite chart', () =>
    scenario('7-rich-output', async () => {
      const info = await runInLastCell(page, '%gpuinfo\n');
      await info.locator('.jp-OutputArea-output.jp-RenderedHTMLCommon table').first().waitFor({ timeout: 120_000 });
      const bench = await runInLastCell(page, BENCH);
      // JupyterLab renders the Vega-Lite part (the richest of the bundle), not the SVG fallback.
      await bench.locator('.jp-RenderedVegaCommon5 svg, .jp-RenderedVegaCommon5 canvas').first().waitFor({ timeout: 180_000 });
      assert.doesNotMatch(await outputOf(bench).first().innerText(), /^<svg/, 'the chart is drawn, not shown as text');
    }));

  test('8. Notebook 7 opens the same notebook and runs a cell', () =>
    scenario('8-notebook7', async () => {
      await page.keyboard.press('ControlOrMeta+s');
      const saved = page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current:not(.jp-mod-dirty)');
      const renameDialog = page.locator('.jp-Dialog .jp-mod-accept');
      await saved.or(renameDialog).first().waitFor();
      if (await renameDialog.isVisible()) await renameDialog.click(); // should the rename-on-save setting not apply
      await saved.waitFor();
      const name = (await page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel').innerText()).trim();
      assert.match(name, /\.ipynb$/);
      const nb7 = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      nb7.setDefaultTimeout(60_000);
      const keep = page;
      page = nb7;
      try {
        await nb7.goto(server.at(`/notebooks/${name}`));
        await nb7.locator('.jp-NotebookPanel .jp-KernelName, #jp-top-panel .jp-KernelName', { hasText: 'CUDA' }).first().waitFor();
        await cells(nb7).first().waitFor();
        const cell = await runInLastCell(nb7, HELLO('from Notebook 7'));
        await outputOf(cell).filter({ hasText: 'from Notebook 7' }).waitFor({ timeout: 120_000 });
        await screenshot(nb7, '8-notebook7-in-notebook7');
      } finally {
        page = keep;
        await nb7.close();
      }
    }));
});
