#!/usr/bin/env node
// `npm run build`'s second step: the shipped kernel as a few CommonJS bundles made by esbuild
// from src/ (tsc's dist/src stays for the tests). One file parses far faster than a graph of
// ~200 ES modules, and each bundle holds only what its door needs, so a kernel never parses
// the command-line parser, gRPC or execa before its first reply:
//   dist/icuda.cjs    src/main.ts: the settings, and the door to the two below
//   dist/kernel.cjs   src/cli/kernel-command.ts: the Jupyter runtime, enough for the first reply
//   dist/interpreter.cjs  src/kernel/cuda-interpreter.ts: the CUDA interpreter, loaded after it
//   dist/cli.cjs      src/cli/program.ts: commander and every other command
//   dist/execa.cjs    execa, loaded at its first call (lazy-execa below)
// Native addons, gRPC and commander stay in node_modules (required at run time). Each bundle
// has a source map, which src/stack-maps.ts reads when a stack through it is formatted, so
// stack traces name src/ files and lines. Minified for size (names are kept).
import { build } from 'esbuild';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(root, 'dist');

/** Imports that become a require() of a sibling bundle: source file -> bundle file. */
const SIBLINGS = {
  'src/cli/program.ts': './cli.cjs',
  'src/cli/kernel-command.ts': './kernel.cjs',
  'src/kernel/cuda-interpreter.ts': './interpreter.cjs',
};

/** Every bundle's settings. */
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // import() of another bundle or of a package left outside becomes require(): Node would
  // otherwise load it through its ES module loader, which first scans the whole file for
  // CommonJS exports (about 40 ms for the kernel's bundle).
  supported: { 'dynamic-import': false },
  sourcemap: 'linked',
  sourcesContent: false,
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  // zeromq is a native addon; gRPC is loaded only by remote kernels and the host; commander only
  // by commands other than the kernel, and main.ts and cli.cjs must share its CommanderError;
  // web-tree-sitter (session cells) finds its .wasm beside its own file, and is loaded only at the
  // first session cell.
  external: ['zeromq', '@grpc/grpc-js', '@grpc/proto-loader', 'grpc-health-check', 'commander', 'web-tree-sitter'],
  // import.meta.url (package-info.ts finds the package root with it) in CommonJS.
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__importMetaUrl' },
};

/** `import ... from 'execa'` becomes a function that requires dist/execa.cjs at its first call:
 * execa is about 250 KB of code that only a spawned program or probe needs. */
const lazyExeca = {
  name: 'lazy-execa',
  setup(b) {
    b.onResolve({ filter: /^execa$/ }, () => ({ path: 'execa', namespace: 'lazy-execa' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-execa' }, () => ({
      contents: "let loaded; export function execa(...args) { loaded ??= require('./execa.cjs'); return loaded.execa(...args); }",
      loader: 'js',
    }));
    b.onResolve({ filter: /^\.\/execa\.cjs$/, namespace: 'lazy-execa' }, (a) => ({ path: a.path, external: true }));
  },
};

/** An import of another bundle's entry (SIBLINGS) is a require() of that bundle, not a copy. */
function siblings(self) {
  return {
    name: 'siblings',
    setup(b) {
      b.onResolve({ filter: /\.js$/ }, (a) => {
        if (!a.importer) return undefined;
        const target = relative(root, join(dirname(a.importer), a.path)).replace(/\.js$/, '.ts');
        const bundle = SIBLINGS[target];
        return bundle && target !== self ? { path: bundle, external: true } : undefined;
      });
    },
  };
}

const bundles = [
  ['src/main.ts', 'icuda.cjs'],
  ['src/cli/kernel-command.ts', 'kernel.cjs'],
  ['src/kernel/cuda-interpreter.ts', 'interpreter.cjs'],
  ['src/cli/program.ts', 'cli.cjs'],
];
await Promise.all([
  ...bundles.map(([entry, file]) =>
    build({ ...common, entryPoints: [entry], outfile: join(out, file), plugins: [siblings(entry), lazyExeca] }),
  ),
  build({
    ...common,
    stdin: { contents: "export { execa } from 'execa';", resolveDir: root, sourcefile: 'execa-entry.js' },
    outfile: join(out, 'execa.cjs'),
  }),
]);
