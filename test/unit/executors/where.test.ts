// The banner a kernel gives before its interpreter is loaded says where cells run from the
// settings alone (executors/where.ts): it must say what the executor chooseExecutor makes says.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startReaper } from '../../../src/engine/run/reaper.js';
import { errorOutcome } from '../../../src/engine/errors.js';
import { chooseExecutor } from '../../../src/executors/choose.js';
import { whereCellsRun } from '../../../src/executors/where.js';
import { silentLogger } from '../../../src/log.js';
import { loadSettings } from '../../../src/settings/settings.js';

describe('where cells run', () => {
  const cases: Record<string, NodeJS.ProcessEnv> = {
    local: {},
    remote: { ICUDA_EXECUTOR: 'remote', ICUDA_HOST: 'gpu-1:50051' },
    'remote without a host': { ICUDA_EXECUTOR: 'remote' },
    slurm: { ICUDA_EXECUTOR: 'slurm', ICUDA_SLURM_ARGS: '-p gpu --gres=gpu:1' },
    'slurm, default partition': { ICUDA_EXECUTOR: 'slurm' },
    'slurm, unbalanced quotes': { ICUDA_EXECUTOR: 'slurm', ICUDA_SLURM_ARGS: '-p "gpu' },
    'an unknown executor': { ICUDA_EXECUTOR: 'cloud' },
  };
  for (const [name, env] of Object.entries(cases)) {
    test(`${name}: the settings say what the executor says`, () => {
      const settings = loadSettings({ HOME: '/h', ...env });
      const reaper = startReaper(silentLogger(), new Promise<void>(() => undefined));
      const executor = chooseExecutor({
        settings,
        log: silentLogger(),
        reaper,
        local: async () => errorOutcome('Unused', 'not run'),
        localSessions: 'not here',
      });
      assert.equal(whereCellsRun(settings), executor.where);
      reaper.close();
    });
  }

  test('the words', () => {
    assert.equal(whereCellsRun(loadSettings({ HOME: '/h' })), 'on this machine');
    assert.equal(whereCellsRun(loadSettings({ HOME: '/h', ICUDA_EXECUTOR: 'slurm' })), 'on Slurm (srun with the default partition)');
    assert.match(
      whereCellsRun(loadSettings({ HOME: '/h', ICUDA_EXECUTOR: 'remote' })),
      /^nowhere \(ICUDA_EXECUTOR=remote needs ICUDA_HOST/,
    );
  });
});
