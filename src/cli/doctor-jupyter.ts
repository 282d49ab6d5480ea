// `icuda doctor`'s Jupyter checks: which Jupyters there are and whether each sees an icuda
// kernelspec whose program still exists.
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import { packageRoot } from '../package-info.js';

type Level = 'ok' | 'warn' | 'fail';
export interface Finding {
  name: string;
  level: Level;
  detail: string;
  fix?: string;
}

/** Each Jupyter there is (on PATH, and the project's venv that npm run setup made), and
 * whether *that* Jupyter sees the icuda kernelspec (one installed for another Python's Jupyter
 * is a common trap). */
export async function checkJupyters(path: string): Promise<Finding[]> {
  const venv = join(packageRoot, '.venv', 'bin', 'jupyter');
  const found = [await onPath('jupyter', path), (await isExecutableOrFile(venv)) ? venv : undefined];
  const jupyters = [...new Set(found.filter((j): j is string => j !== undefined))];
  if (jupyters.length === 0) {
    return [
      {
        name: 'Jupyter',
        level: 'warn',
        detail: 'no jupyter on PATH or in .venv',
        fix: 'npm run setup (or pip install jupyterlab); icuda run works without it',
      },
    ];
  }
  return (await Promise.all(jupyters.map((j) => checkJupyter(j, j === venv ? ' (the project venv: npm run lab)' : '')))).flat();
}

/** One Jupyter and the icuda kernelspecs it sees. */
async function checkJupyter(jupyter: string, note: string): Promise<Finding[]> {
  const found: Finding = { name: 'Jupyter', level: 'ok', detail: jupyter + note };
  const r = await execa(jupyter, ['kernelspec', 'list', '--json'], { reject: false, timeout: 60_000 });
  if (r.exitCode !== 0)
    return [
      found,
      { name: 'kernelspec', level: 'warn', detail: `jupyter kernelspec list failed: ${String(r.stderr).trim().split('\n').at(-1)}` },
    ];
  let specs: Record<string, { resource_dir: string; spec: { argv: string[]; language?: string } }>;
  try {
    specs = (JSON.parse(String(r.stdout)) as { kernelspecs?: typeof specs }).kernelspecs ?? {};
  } catch {
    return [found, { name: 'kernelspec', level: 'warn', detail: 'jupyter kernelspec list --json did not print JSON' }];
  }
  const ours = Object.entries(specs).filter(([, s]) => s.spec.language === 'cuda' || s.spec.argv.some((a) => a.includes('icuda')));
  if (ours.length === 0) {
    return [
      found,
      {
        name: 'kernelspec',
        level: 'warn',
        detail: `this Jupyter (${jupyter}) has no icuda kernelspec`,
        fix: 'icuda install --user (or --sys-prefix inside the venv whose jupyter you use)',
      },
    ];
  }
  return [found, ...(await Promise.all(ours.map(([name, s]) => checkSpec(name, s.resource_dir, s.spec.argv))))];
}

/** A registered kernelspec whose program and script still exist. */
async function checkSpec(name: string, dir: string, argv: string[]): Promise<Finding> {
  const missing: string[] = [];
  // node and the script (node's own flags between them are no paths)
  for (const file of argv.filter((a) => a.startsWith('/'))) if (!(await isExecutableOrFile(file))) missing.push(file);
  const spec = JSON.parse(await readFile(join(dir, 'kernel.json'), 'utf8').catch(() => '{}')) as { display_name?: string };
  return missing.length
    ? {
        name: `kernelspec ${name}`,
        level: 'warn',
        detail: `${dir} starts ${missing.join(', ')}, which is gone`,
        fix: `icuda install (again) to point it at this icuda`,
      }
    : { name: `kernelspec ${name}`, level: 'ok', detail: `${dir} ("${spec.display_name ?? name}")` };
}

/** The first executable `name` in PATH (then `extra` folders), if any. */
export async function onPath(name: string, searchPath: string, extra: string[] = []): Promise<string | undefined> {
  for (const dir of [...searchPath.split(delimiter), ...extra]) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return undefined;
}

/** Whether a path exists. */
async function isExecutableOrFile(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
