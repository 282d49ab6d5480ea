// The dependency rules (.dependency-cruiser.cjs) catch the imports they exist to forbid: a tiny
// tree with one wrong import per rule is cruised with the real config and the real tool.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { packageRoot } from '../../../src/package-info.js';

const FILES: Record<string, string> = {
  'src/protocol/interpreter.ts': 'export interface Interpreter { x: number }\n',
  'src/protocol/wire.ts': 'export const wire = 1;\n',
  'src/engine/runner.ts': "import { wire } from '../protocol/wire.js';\nexport const run = wire;\n",
  'src/kernel/good.ts': "import type { Interpreter } from '../protocol/interpreter.js';\nexport type I = Interpreter;\n",
  'src/kernel/bad.ts': "import { wire } from '../protocol/wire.js';\nexport const k = wire;\n",
  'src/host/server.ts': "import { k } from '../kernel/bad.js';\nexport const h = k;\n",
  'src/protocol/sneaky.ts': "import { run } from '../engine/runner.js';\nexport const s = run;\n",
  'src/kernel/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
  'src/kernel/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
  'tsconfig.json': JSON.stringify({
    compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true },
    include: ['src'],
  }),
};

describe('dependency rules', () => {
  let dir = '';
  let report: { summary: { violations: { rule: { name: string }; from: string; to: string }[] } };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'icuda-depcruise-'));
    for (const [name, text] of Object.entries(FILES)) {
      await mkdir(dirname(join(dir, name)), { recursive: true });
      await writeFile(join(dir, name), text);
    }
    const bin = join(packageRoot, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
    const config = join(packageRoot, '.dependency-cruiser.cjs');
    // Exit code 1 means "violations found", which is what this tree is for.
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'src', '--config', config, '--output-type', 'json'], {
      cwd: dir,
    }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    report = JSON.parse(stdout);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const violated = (rule: string, from: string) => report.summary.violations.some((v) => v.rule.name === rule && v.from === from);

  test('the engine importing the protocol breaks engine-knows-no-jupyter', () => {
    assert.ok(violated('engine-knows-no-jupyter', 'src/engine/runner.ts'));
  });
  test('the kernel importing wire code breaks kernel-speaks-only-the-seam; the Interpreter type is fine', () => {
    assert.ok(violated('kernel-speaks-only-the-seam', 'src/kernel/bad.ts'));
    assert.ok(!report.summary.violations.some((v) => v.from === 'src/kernel/good.ts'));
  });
  test('the host importing the kernel breaks host-knows-no-jupyter', () => {
    assert.ok(violated('host-knows-no-jupyter', 'src/host/server.ts'));
  });
  test('the protocol importing the engine breaks protocol-knows-no-cuda', () => {
    assert.ok(violated('protocol-knows-no-cuda', 'src/protocol/sneaky.ts'));
  });
  test('two modules importing each other break no-circular', () => {
    assert.ok(violated('no-circular', 'src/kernel/a.ts') || violated('no-circular', 'src/kernel/b.ts'));
  });
});
