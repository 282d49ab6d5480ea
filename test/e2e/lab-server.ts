// A private Jupyter server for browser tests: JupyterLab (or Notebook 7) from .venv on
// 127.0.0.1 with a random port and token, its own data/config/runtime dirs holding only the
// icuda kernelspec (and, unless asked not to, icuda's JupyterLab extension, as `icuda install`
// puts it there), its log (the kernel's stderr included) kept in a file.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePorts } from '../../src/client/connection-file.js';
import { packageRoot } from '../../src/package-info.js';

export const venvBin = join(packageRoot, '.venv', 'bin');

export interface LabServer {
  url: string;
  token: string;
  root: string;
  /** The environment the server runs with (its private Jupyter dirs). */
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** The server's URL for a path, with the token. */
  at(path: string): string;
  logTail(lines?: number): Promise<string>;
  stop(): Promise<void>;
}

export interface LabOptions {
  /** false: remove the JupyterLab extension that `icuda install` put beside the kernelspec. */
  labextension?: boolean;
  /** The log's file name in outputDir. */
  logName?: string;
}

/** Starts `jupyter lab` (which also serves Notebook 7's /notebooks/) and waits until it answers. */
export async function startLab(outputDir: string, options: LabOptions = {}): Promise<LabServer> {
  const home = await mkdtemp(join(tmpdir(), 'icuda-e2e-'));
  const root = join(home, 'notebooks');
  await mkdir(root);
  const env = {
    ...process.env,
    JUPYTER_DATA_DIR: join(home, 'data'),
    JUPYTER_CONFIG_DIR: join(home, 'config'),
    JUPYTER_RUNTIME_DIR: join(home, 'runtime'),
    JUPYTER_PATH: '',
    JUPYTERLAB_SETTINGS_DIR: join(home, 'settings'),
    JUPYTERLAB_WORKSPACES_DIR: join(home, 'workspaces'),
    ICUDA_LOG_LEVEL: 'debug',
    TMPDIR: home,
  };
  execFileSync(process.execPath, [join(packageRoot, 'bin', 'icuda.js'), 'install', '--user'], { env, stdio: 'pipe' });
  if (options.labextension === false) await rm(join(home, 'data', 'labextensions'), { recursive: true, force: true });
  await quietSettings(join(home, 'settings'));
  const [port] = await freePorts(1);
  const token = randomBytes(16).toString('hex');
  await mkdir(outputDir, { recursive: true });
  const logFile = join(outputDir, options.logName ?? 'server-and-kernel.log');
  const fd = openSync(logFile, 'w');
  const child: ChildProcess = spawn(
    join(venvBin, 'jupyter'),
    [
      'lab',
      '--no-browser',
      '--ServerApp.ip=127.0.0.1',
      `--ServerApp.port=${port}`,
      '--ServerApp.port_retries=0',
      `--IdentityProvider.token=${token}`,
      `--ServerApp.root_dir=${root}`,
      '--LabApp.news_url=',
      '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate',
      ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
    ],
    { env, detached: true, stdio: ['ignore', fd, fd] },
  );
  closeSync(fd);
  const url = `http://127.0.0.1:${port}`;
  const server: LabServer = {
    url,
    token,
    root,
    env,
    logFile,
    at: (path) => `${url}${path}${path.includes('?') ? '&' : '?'}token=${token}`,
    logTail: async (lines = 60) =>
      (await readFile(logFile, 'utf8').catch(() => ''))
        .trimEnd()
        .split('\n')
        .slice(-lines)
        .map((l) => l.slice(0, 400))
        .join('\n'),
    stop: async () => {
      const exited = new Promise((resolve) => {
        if (child.exitCode !== null) resolve(undefined);
        else child.once('exit', resolve);
      });
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* gone */
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 10_000);
      await exited;
      clearTimeout(timer);
      await rm(home, { recursive: true, force: true });
    },
  };
  await waitUntilUp(server, child, 90_000);
  return server;
}

/** User settings that keep popups out of the way: no news prompt, no rename dialog on first save. */
async function quietSettings(dir: string): Promise<void> {
  const settings: Record<string, object> = {
    '@jupyterlab/apputils-extension/notification.jupyterlab-settings': { fetchNews: 'false' },
    '@jupyterlab/docmanager-extension/plugin.jupyterlab-settings': { renameUntitledFileOnSave: false },
  };
  for (const [file, value] of Object.entries(settings)) {
    await mkdir(join(dir, dirname(file)), { recursive: true });
    await writeFile(join(dir, file), JSON.stringify(value));
  }
}

/** Polls /api/status until the server answers 200, fails early if it exits. */
async function waitUntilUp(server: LabServer, child: ChildProcess, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`jupyter lab exited (${child.exitCode}):\n${await server.logTail()}`);
    const ok = await fetch(server.at('/api/status')).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await server.stop();
  throw new Error(`jupyter lab did not answer within ${ms / 1000} s:\n${await server.logTail()}`);
}
