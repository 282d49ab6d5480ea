// %vars: the names session cells defined, as a table (HTML with a text fallback): name, kind,
// declaration, the cell that defined it, and for variables what the runner found: the size, and
// for a pointer where it points (device, managed or host memory, the allocation's size).
import type { MimeBundle } from '../../engine/outcome.js';
import type { PointerInfo, SessionName } from '../../session/session-types.js';
import { formatBytes } from '../../units.js';
import { htmlTable, textTable } from './tables.js';

const HEAD = ['name', 'kind', 'declaration', 'cell', 'memory'];

/** The table as a display bundle; a sentence when the session defines nothing. */
export function varsBundle(names: readonly SessionName[]): MimeBundle {
  if (names.length === 0) {
    const text = 'no session names yet: cells without main() define them (%help vars)';
    return { 'text/plain': text, 'text/html': `<p>${text}</p>` };
  }
  const rows = names.map((n) => [n.name, n.kind, n.signature, `[${n.cell}]`, memoryOf(n)]);
  return {
    'text/plain': textTable(HEAD, rows),
    'text/html': htmlTable(`${names.length} name${names.length === 1 ? '' : 's'} in the session`, HEAD, rows),
  };
}

/** What the runner found of a variable: its size, and where a pointer points. */
export function memoryOf(name: SessionName): string {
  if (name.kind !== 'variable') return '';
  const size = name.size === undefined ? '' : `${formatBytes(name.size)}`;
  const pointer = name.pointer ? pointerWords(name.pointer, /^(?:static\s+)?auto\b/.test(name.signature)) : '';
  return [size, pointer].filter(Boolean).join('; ');
}

/** "device memory (GPU 0): in an allocation of 4.0 MiB at 0x7f..", "cannot tell: ...". */
export function pointerWords(p: PointerInfo, maybe: boolean): string {
  if (p.error) return maybe ? '' : `points to ${p.value ?? '?'}: cannot tell where (${p.error})`;
  const allocation = p.bytes !== undefined ? `, in an allocation of ${formatBytes(p.bytes)} at ${p.base ?? '?'}` : '';
  switch (p.memory) {
    case 'null':
      return maybe ? '' : 'null pointer';
    case 'device':
      return `device memory (GPU ${p.device ?? 0})${allocation}`;
    case 'managed':
      return `managed memory (GPU ${p.device ?? 0})${allocation}`;
    case 'host':
      return 'pinned host memory (cudaMallocHost or registered)';
    default:
      return maybe ? '' : 'host memory, not a CUDA allocation';
  }
}
