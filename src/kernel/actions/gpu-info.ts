// %gpuinfo: each GPU and the toolchain as an HTML table with a plain-text fallback.
import type { MimeBundle } from '../../protocol/interpreter.js';
import { htmlTable, textTable } from './tables.js';
import type { GpuLookup } from '../../engine/gpu/gpu-probe.js';
import { escapeXml } from './svg-chart.js';

export interface ToolchainFacts {
  nvcc: string;
  nvccVersion: string;
  hostCompiler: string;
  arch: string;
}

const GPU_HEAD = ['GPU', 'name', 'compute capability', 'memory', 'SMs', 'SM clock', 'memory clock', 'driver'];

/** The arch icuda compiles for: the one in the flags, the GPU's own, or nvcc's choice for -arch=native. */
export function describeArch(flags: string[], lookup: GpuLookup): string {
  const chosen = flags.find((f) => /^(-arch|--gpu-architecture|-gencode|--generate-code)\b/.test(f));
  if (chosen) return `${chosen} (from the flags)`;
  const cc = lookup.gpus[0]?.cc;
  return cc ? `sm_${cc.replace('.', '')} (-arch=native, GPU 0)` : "-arch=native; with no GPU, nvcc's default arch";
}

/** The table of GPUs (or the plain sentence that there is none) and of the toolchain. */
export function gpuInfoBundle(lookup: GpuLookup, tools: ToolchainFacts): MimeBundle {
  const rows = lookup.gpus.map((g) => [
    g.index,
    g.name,
    g.cc,
    g.memoryMiB ? `${g.memoryMiB} MiB` : '',
    g.sms || '—',
    g.smClockMHz ? `${g.smClockMHz} MHz` : '',
    g.memClockMHz ? `${g.memClockMHz} MHz` : '',
    g.driver,
  ]);
  const none = `no GPU found${lookup.reason ? ` (${lookup.reason})` : ''}`;
  const toolRows = [
    ['nvcc', `${tools.nvccVersion || '?'} (${tools.nvcc})`],
    ['host compiler', tools.hostCompiler],
    ['compiles for', tools.arch],
  ];
  const gpuText = rows.length > 0 ? textTable(GPU_HEAD, rows) : none;
  const gpuHtml = rows.length > 0 ? htmlTable('GPUs', GPU_HEAD, rows) : `<p><b>${escapeXml(none)}</b></p>`;
  return {
    'text/plain': `${gpuText}\n\n${textTable(['toolchain', ''], toolRows)}`,
    'text/html': `${gpuHtml}\n${htmlTable('toolchain', ['', ''], toolRows)}`,
  };
}
