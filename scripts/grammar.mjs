// Part of npm run build: copies tree-sitter-cuda's grammar (a .wasm, 4 MB) into grammar/, which
// the package ships. tree-sitter-cuda itself (with its C and C++ grammars' sources, ~100 MB)
// stays a development dependency; at run time only web-tree-sitter and this file are needed.
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const source = createRequire(import.meta.url).resolve('tree-sitter-cuda/tree-sitter-cuda.wasm');
const target = join(root, 'grammar', 'tree-sitter-cuda.wasm');
mkdirSync(join(root, 'grammar'), { recursive: true });
const fresh = (() => {
  try {
    return statSync(target).mtimeMs >= statSync(source).mtimeMs && statSync(target).size === statSync(source).size;
  } catch {
    return false;
  }
})();
if (!fresh) copyFileSync(source, target);
