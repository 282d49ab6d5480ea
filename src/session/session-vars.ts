// %vars with memory: the session's variables as the runner finds them (their size, and for a
// pointer what the CUDA runtime knows of where it points), by the symbols the compiler gave them.
import type { OutputSink } from '../engine/outcome.js';
import type { Definition } from './cell-model.js';
import { supervised } from './run-judge.js';
import type { RunnerProcess } from './runner-process.js';
import type { VarReply } from './runner-reply.js';
import type { PointerInfo, SessionName } from './session-types.js';
import type { SessionState } from './state.js';

/** The Itanium-mangled name of a variable in namespaces (`icuda_u3::q::x` -> `_ZN8icuda_u31q1xE`). */
export function variableSymbol(ns: string, path: readonly string[], name: string): string {
  return `_ZN${[ns, ...path, name].map((part) => `${part.length}${part}`).join('')}E`;
}

/** Whether a variable's declaration may hold a pointer: `T *p`, `T *const p`, or `auto p`. */
export function mayBePointer(def: Definition): boolean {
  const pointer = new RegExp(`\\*\\s*(?:(?:const|volatile|__restrict__)\\s+)*${def.name}$`);
  return !def.signature.includes('(') && (pointer.test(def.signature) || /^(?:static\s+)?auto\b/.test(def.signature));
}

/** Each name with what the runner found of its variables; names without a variable as they are. */
export async function withMemory(
  names: SessionName[],
  state: SessionState,
  runner: RunnerProcess,
  signal: AbortSignal,
  output: OutputSink,
): Promise<SessionName[]> {
  const variables = new Map<string, { name: SessionName; pointer: boolean }>();
  for (const name of names) {
    const visible = [...state.newest.values()].find(({ unit, def }) => def.name === name.name && unit.cell === name.cell);
    if (!visible || visible.def.kind !== 'variable') continue;
    const symbol = variableSymbol(visible.unit.ns, visible.def.path, visible.def.name);
    variables.set(symbol, { name, pointer: mayBePointer(visible.def) });
  }
  if (variables.size === 0) return names;
  const command = { kind: 'vars' as const, variables: [...variables].map(([symbol, { pointer }]) => ({ symbol, pointer })) };
  const { result } = await supervised(runner, { signal, output }, command, undefined);
  const found = new Map((result.kind === 'reply' ? (result.reply.vars ?? []) : []).map((reply) => [reply.symbol, reply]));
  return names.map((name) => {
    const entry = [...variables].find(([, v]) => v.name === name);
    const reply = entry ? found.get(entry[0]) : undefined;
    return reply?.found ? { ...name, size: reply.size, ...pointerOf(reply) } : name;
  });
}

/** The pointer part of a variable's reply, when it held a pointer. */
function pointerOf(reply: VarReply): { pointer?: PointerInfo } {
  if (reply.value === undefined) return {};
  const { value, memory, device, base, bytes, error } = reply;
  return { pointer: { value, memory, device, base, bytes, error } };
}
