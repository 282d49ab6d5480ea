// The CUDA grammar (tree-sitter-cuda's wasm under web-tree-sitter), loaded on first use only: a
// kernel that never runs a session cell never loads it.
import { access } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../package-info.js';
import type { Node, Parser, Tree } from 'web-tree-sitter';

export type { Node as SyntaxNode };

let loading: Promise<Parser> | undefined;

/** The shared parser; the first call loads the grammar (a failed load is retried next time). */
export function cudaParser(): Promise<Parser> {
  loading ??= load().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

/** Loads web-tree-sitter and the CUDA grammar. */
async function load(): Promise<Parser> {
  const { Parser, Language } = await import('web-tree-sitter');
  await Parser.init();
  // npm run build copies the grammar into the package (grammar/); a checkout can also read it
  // from the development dependency.
  const shipped = join(packageRoot, 'grammar', 'tree-sitter-cuda.wasm');
  const wasm = (await access(shipped).then(
    () => true,
    () => false,
  ))
    ? shipped
    : createRequire(import.meta.url).resolve('tree-sitter-cuda/tree-sitter-cuda.wasm');
  const parser = new Parser();
  parser.setLanguage(await Language.load(wasm));
  return parser;
}

/** Parses `source`, hands the tree to `use`, and frees it (trees live in wasm memory). */
export async function withTree<T>(source: string, use: (tree: Tree) => T): Promise<T> {
  const tree = (await cudaParser()).parse(source);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    return use(tree);
  } finally {
    tree.delete();
  }
}
