// npm test (after the build): runs the test files given (folders under dist/test, default unit
// and integration) with node:test, readable as they go (the spec reporter) and with the full
// TAP log in test-output/test.tap, in a temp dir of the run's own; fails when the tests left
// anything in it (a scratch dir, a connection file, a compiler's temp file), then removes it.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const [suffix = '.test.js', timeout = '600000', ...folders] = process.argv.slice(2);
const dirs = (folders.length ? folders : ['unit', 'integration']).map((f) => join(root, 'dist', 'test', f));
const files = dirs
  .flatMap((dir) => listFiles(dir))
  .filter((f) => f.endsWith(suffix))
  .sort();
const tmp = mkdtempSync(join(tmpdir(), 'icuda-tests-'));
mkdirSync(join(root, 'test-output'), { recursive: true });

const args = [
  '--test',
  '--test-concurrency=1',
  `--test-timeout=${timeout}`,
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  '--test-reporter=tap',
  `--test-reporter-destination=${join(root, 'test-output', 'test.tap')}`,
  `--test-reporter=${join(root, 'scripts', 'summary-reporter.mjs')}`,
  '--test-reporter-destination=stdout',
  ...files,
];
console.log(`${files.length} test files; full log: ${relative(process.cwd(), join(root, 'test-output', 'test.tap'))}`);
const child = spawn(process.execPath, args, { stdio: 'inherit', env: { ...process.env, TMPDIR: tmp } });
const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));

const left = leftovers(tmp);
rmSync(tmp, { recursive: true, force: true });
if (left.length > 0) {
  console.error(`\nThe tests left ${left.length} file(s) in the temp dir (a test or the product does not clean up):`);
  for (const name of left.slice(0, 20)) console.error(`  ${name}`);
}
process.exit(code !== 0 ? code : left.length > 0 ? 1 : 0);

/** Every file below `dir`, recursively (none when it does not exist). */
function listFiles(dir) {
  try {
    return readdirSync(dir, { recursive: true }).map((f) => join(dir, String(f)));
  } catch {
    return [];
  }
}

/** What is left in the run's temp dir, as paths relative to it (directories with their contents). */
function leftovers(dir) {
  try {
    return readdirSync(dir, { recursive: true }).map(String).sort();
  } catch {
    return [];
  }
}
