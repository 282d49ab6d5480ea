// Stack traces that name src/ files: a frame in a built file under `dir` (the bundles, or tsc's
// modules) is told by the source map beside it (FILE.map). The map is read when a stack that
// passes through its file is first formatted, never at start: Node's own source-map support
// (--enable-source-maps) reads every map of every module as it loads, zeromq's among them,
// which would cost a kernel about a tenth of its start.
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Formats every stack of this process with the frames under `dir` mapped to their sources. */
export function mapStackTraces(dir: string): void {
  const maps = new Map<string, SourceMap | undefined>();
  const mapOf = (file: string): SourceMap | undefined => {
    if (!maps.has(file)) maps.set(file, readMap(file));
    return maps.get(file);
  };
  const inside = dir.endsWith(sep) ? dir : dir + sep;
  Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]): string => {
    const lines = frames.map((frame) => {
      const text = (frame as NodeJS.CallSite & { toString(): string }).toString();
      const name = frame.getFileName() ?? '';
      const file = name.startsWith('file://') ? fileURLToPath(name) : name;
      if (!file.startsWith(inside)) return `    at ${text}`;
      return `    at ${mappedFrame(text, name, frame.getLineNumber(), frame.getColumnNumber(), mapOf(file))}`;
    });
    return [header(error), ...lines].join('\n');
  };
}

/** The frame's text with `name:line:column` (name: a path or a file URL) replaced by the source's
 * place, when the map has it. */
export function mappedFrame(text: string, name: string, line: number | null, column: number | null, map: SourceMap | undefined): string {
  if (!map || line === null || column === null) return text;
  type Entry = Partial<{ generatedLine: number; originalSource: string; originalLine: number; originalColumn: number }>;
  // findEntry answers the nearest mapping before the place, even one on an earlier line.
  const entry = map.findEntry(line - 1, column - 1) as Entry;
  if (entry.generatedLine !== line - 1 || entry.originalSource === undefined) return text;
  if (entry.originalLine === undefined || entry.originalColumn === undefined) return text;
  const file = name.startsWith('file://') ? fileURLToPath(name) : name;
  const source = resolve(dirname(file), entry.originalSource);
  return text.replace(`${name}:${line}:${column}`, `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`);
}

/** The source map beside `file`; undefined when there is none or it cannot be read. */
function readMap(file: string): SourceMap | undefined {
  try {
    return new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
  } catch {
    return undefined;
  }
}

/** The first line of a stack, as V8 writes it: "Name: message". */
function header(error: Error): string {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return '<error>';
  }
}
