// The check every cell suite runs after each test: nothing a cell started still runs, and no
// run directory is left under the kernel's temp dir.
import assert from 'node:assert/strict';
import { waitNoProcessesUnder } from './processes.js';
import { scratchDirsUnder } from './scratch.js';

/** Asserts that no process runs from, and no scratch run directory is left under, `tmp`. */
export async function assertNothingLeftUnder(tmp: string): Promise<void> {
  assert.deepEqual(await waitNoProcessesUnder(tmp), [], 'no process of a cell survives it');
  assert.deepEqual(await scratchDirsUnder(tmp), [], 'no run directory is left');
}
