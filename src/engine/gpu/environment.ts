// The machine a measurement came from, as a benchmark records it: the GPU (name, UUID, compute
// capability, driver, persistence mode, power limit, ECC, clocks) asked of nvidia-smi, and the
// host. A field that cannot be known is null, and `unavailable` says why, rather than leaving
// it out silently.
import { hostname } from 'node:os';
import { execa } from 'execa';
import type { ToolPlaces } from '../toolchain/toolchain.js';
import { findTool } from '../toolchain/tools.js';

/** nvidia-smi's query fields, in the order asked, and the record's names for them. */
const FIELDS = [
  ['name', 'name'],
  ['uuid', 'uuid'],
  ['compute_cap', 'computeCapability'],
  ['driver_version', 'driverVersion'],
  ['persistence_mode', 'persistenceMode'],
  ['power.limit', 'powerLimitW'],
  ['ecc.mode.current', 'ecc'],
  ['clocks.sm', 'smClockMHz'],
  ['clocks.mem', 'memClockMHz'],
  ['clocks.max.sm', 'maxSmClockMHz'],
] as const;

export type GpuField = (typeof FIELDS)[number][1];

/** One GPU's fields; null where nvidia-smi had no answer ("[N/A]", "[Not Supported]"). */
export type GpuRecord = Record<GpuField, string | null>;

export interface MachineRecord {
  host: string;
  /** ISO 8601. */
  date: string;
  gpus: GpuRecord[];
  /** Why the GPU fields are missing or null: field (or "gpus") -> reason. */
  unavailable: Record<string, string>;
}

/** Asks nvidia-smi about every GPU; without it (or without a GPU) `unavailable` says why. */
export async function recordMachine(places: ToolPlaces, env: NodeJS.ProcessEnv): Promise<MachineRecord> {
  const record: MachineRecord = { host: hostname(), date: new Date().toISOString(), gpus: [], unavailable: {} };
  const smi = await findTool('nvidia-smi', places);
  if (!smi) return { ...record, unavailable: { gpus: 'nvidia-smi not found: no NVIDIA driver on this machine' } };
  const query = FIELDS.map(([field]) => field).join(',');
  const result = await execa(smi, [`--query-gpu=${query}`, '--format=csv,noheader,nounits'], {
    env,
    extendEnv: false,
    reject: false,
    timeout: 20_000,
    stdin: 'ignore',
  });
  if (result.exitCode !== 0) {
    const why =
      String(result.stdout || result.stderr)
        .trim()
        .split('\n')[0] || `exit code ${result.exitCode}`;
    return { ...record, unavailable: { gpus: `nvidia-smi failed: ${why}` } };
  }
  return { ...record, ...parseGpus(String(result.stdout)) };
}

/** nvidia-smi's CSV rows as GPU records, and the fields it could not give. */
export function parseGpus(text: string): Pick<MachineRecord, 'gpus' | 'unavailable'> {
  const unavailable: Record<string, string> = {};
  const gpus = text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const values = line.split(',').map((v) => v.trim());
      return Object.fromEntries(
        FIELDS.map(([field, key], i) => {
          const value = values[i] ?? '';
          const missing = value === '' || /^\[.*\]$/.test(value) || value === 'N/A';
          if (missing) unavailable[key] = `nvidia-smi says ${JSON.stringify(value || 'nothing')} for ${field}`;
          return [key, missing ? null : value];
        }),
      ) as GpuRecord;
    });
  if (gpus.length === 0) unavailable.gpus = 'nvidia-smi lists no GPU';
  return { gpus, unavailable };
}
