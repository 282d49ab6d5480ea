// Debian's chromium, headless, driven by playwright-core (no browser download), and what the
// scenarios share: running a cell in JupyterLab's editor, reading its outputs and prompt.
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { packageRoot } from '../../src/package-info.js';

export const outputDir = join(packageRoot, 'test-output', 'e2e');

/** The system chromium, or a reason the browser tests cannot run. */
export function findChromium(): { path?: string; missing?: string } {
  try {
    return { path: execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim() };
  } catch {
    return { missing: 'no chromium on PATH (run scripts/setup-e2e.sh)' };
  }
}

/** Launches headless chromium. */
export async function launch(executablePath: string): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath,
    headless: true,
    timeout: 60_000,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

/** Saves a screenshot as test-output/e2e/NAME.png. */
/** Runs one scenario; on failure keeps a screenshot and the server's log (the kernel's too) next to it. */
export async function runScenario(
  page: Page,
  server: { logTail(lines: number): Promise<string> },
  name: string,
  body: () => Promise<void>,
): Promise<void> {
  try {
    await body();
    await screenshot(page, name);
  } catch (error) {
    await screenshot(page, `${name}-failure`).catch(() => undefined);
    await writeFile(join(outputDir, `${name}-failure.log`), await server.logTail(400)).catch(() => undefined);
    throw error;
  }
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(outputDir, { recursive: true });
  const path = join(outputDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** The code cells of the notebook in view. */
export function cells(page: Page): Locator {
  return page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-CodeCell');
}

/** Types `code` into the last cell (replacing its text) and runs it with Shift+Enter; answers that cell. */
export async function runInLastCell(page: Page, code: string): Promise<Locator> {
  const all = cells(page);
  const cell = all.nth((await all.count()) - 1);
  await cell.locator('.cm-content').click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.insertText(code);
  await page.keyboard.press('Shift+Enter');
  return cell;
}

/** Text of a cell's outputs. */
export function outputOf(cell: Locator): Locator {
  return cell.locator('.jp-OutputArea-output');
}

/** A cell's input prompt ("[*]:" while it runs, "[3]:" after). */
export function promptOf(cell: Locator): Locator {
  return cell.locator('.jp-InputArea-prompt');
}

/** Waits until a cell has finished (its prompt shows a number) and answers that number. */
export async function executionCount(cell: Locator, timeout = 120_000): Promise<number> {
  const prompt = promptOf(cell);
  await prompt.filter({ hasText: /\[\d+\]/ }).waitFor({ timeout });
  return Number(/\[(\d+)\]/.exec(await prompt.innerText())![1]);
}
