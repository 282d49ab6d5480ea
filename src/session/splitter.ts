// Splits a session cell into chunks with tree-sitter's CUDA grammar: top-level declarations stay
// at file scope, top-level statements run in order in a function generated for the cell.
import { type CellSyntax, type Chunk, qualified } from './cell-model.js';
import { aliasChunk, chunkOf, declarationChunk, functionChunk, templateChunk, typeChunk } from './declarations.js';
import { type SyntaxNode, withTree } from './parser.js';
import { forEachNode } from './syntax.js';

const GLOBAL_TYPES = new Set(['using_declaration', 'namespace_alias_definition']);
const TYPE_SPECIFIERS = new Set(['struct_specifier', 'class_specifier', 'union_specifier', 'enum_specifier']);
const UNCARRIED = new Set(['static_assert_declaration', 'template_instantiation', 'concept_definition', 'ERROR']);
const NAME_TYPES = new Set(['identifier', 'type_identifier', 'namespace_identifier']);

/** Whether an earlier cell defined this name, and as what (a function's name at file scope means a
 * call; a value's name as a "parameter type" means a constructor's argument). */
export type Known = (name: string) => 'function' | 'value' | 'other' | undefined;

/** Parses and splits a cell; `known` answers for the names earlier cells defined. */
export async function splitCell(source: string, known: Known = () => undefined): Promise<CellSyntax> {
  return withTree(source, (tree) => {
    const chunks: Chunk[] = [];
    for (const node of tree.rootNode.children) if (node) addNode(chunks, node, [], known);
    const syntax: CellSyntax = {
      chunks: resolvePrototypes(chunks, known),
      hasMain: false,
      refs: new Set(),
      declared: new Set(),
      usesCuda: false,
    };
    syntax.hasMain = chunks.some((chunk) => chunk.path.length === 0 && chunk.defs.some((def) => def.name === 'main'));
    scanCell(tree.rootNode, syntax);
    return syntax;
  });
}

/** Adds the chunks of one node at namespace `path`. */
function addNode(chunks: Chunk[], node: SyntaxNode, path: string[], known: Known): void {
  const type = node.type;
  if (type === 'comment') return;
  if (type === ';' || (type === 'ERROR' && node.text.trim() === ';')) return attachSemicolon(chunks, node, path);
  if (type.startsWith('preproc_')) {
    const chunk = chunkOf('global', node, path, node.text.endsWith('\n') ? node.text : node.text + '\n');
    if (type === 'preproc_def' || type === 'preproc_function_def') chunk.macro = node.childForFieldName('name')?.text;
    return void chunks.push(chunk);
  }
  if (type === 'namespace_definition') return addNamespace(chunks, node, path, known);
  if (type === 'linkage_specification') return void chunks.push(linkageChunk(node, path));
  if (GLOBAL_TYPES.has(type)) return void chunks.push(chunkOf('global', node, path));
  if (type === 'function_definition') return void chunks.push(functionChunk(node, path));
  if (type === 'template_declaration') return void chunks.push(templateChunk(node, path));
  if (TYPE_SPECIFIERS.has(type)) return void chunks.push(typeChunk(node, path));
  if (type === 'type_definition' || type === 'alias_declaration') return void chunks.push(aliasChunk(node, path));
  if (type === 'declaration') {
    const isValue = (name: string) =>
      known(name) === 'value' || chunks.some((chunk) => chunk.variable && chunk.defs.some((def) => def.name === name));
    return void chunks.push(mostVexing(node, known) ? chunkOf('stmt', node, path) : declarationChunk(node, path, isValue));
  }
  if (UNCARRIED.has(type) || path.length > 0) return void chunks.push(chunkOf('decl', node, path));
  chunks.push(chunkOf('stmt', node, path));
}

/** `namespace q { ... }`: its members are split as top-level ones, inside q (an anonymous one is transparent). */
function addNamespace(chunks: Chunk[], node: SyntaxNode, path: string[], known: Known): void {
  const name = node.childForFieldName('name')?.text;
  const inner = name ? [...path, ...name.split('::').map((part) => part.trim())] : path;
  for (const child of node.childForFieldName('body')?.children ?? []) {
    if (child && child.type !== '{' && child.type !== '}') addNode(chunks, child, inner, known);
  }
}

/** extern "C": outside declarations are global; definitions are the cell's (C names are not versioned). */
function linkageChunk(node: SyntaxNode, path: string[]): Chunk {
  const definitions: SyntaxNode[] = [];
  forEachNode(node, (child) => {
    if (child.type === 'function_definition') definitions.push(child);
  });
  if (definitions.length === 0) return chunkOf('global', node, path);
  const chunk = chunkOf('decl', node, path);
  const prototypes = definitions.map((definition) => functionChunk(definition, path));
  chunk.defs = prototypes.flatMap((prototype) => prototype.defs);
  chunk.carried = `extern ${node.childForFieldName('value')?.text ?? '"C"'} {\n${prototypes.map((p) => p.carried).join('\n')}\n}`;
  chunk.refs = prototypes.flatMap((prototype) => prototype.refs);
  return chunk;
}

/** `struct S {...}` is followed by its own `;` node: it belongs to the chunk before. */
function attachSemicolon(chunks: Chunk[], node: SyntaxNode, path: string[]): void {
  const last = chunks.at(-1);
  if (!last || last.kind === 'global') return void chunks.push(chunkOf('stmt', node, path));
  last.text += ';';
  if (last.carried !== undefined) last.carried += ';';
}

/** `f(x);` parsed as a declaration of x of type f, where f is a function: a call after all. */
function mostVexing(node: SyntaxNode, known: Known): boolean {
  const type = node.childForFieldName('type');
  return type?.type === 'type_identifier' && known(type.text) === 'function';
}

/** Prototypes: kept when the cell defines the name, dropped when an earlier cell did, global otherwise. */
function resolvePrototypes(chunks: Chunk[], known: Known): Chunk[] {
  const own = new Set(chunks.flatMap((chunk) => chunk.defs.map((def) => qualified(def.path, def.name))));
  return chunks.flatMap((chunk): Chunk[] => {
    if (chunk.kind !== 'proto') return [chunk];
    const name = qualified(chunk.path, chunk.target ?? '');
    if (own.has(name)) return [{ ...chunk, kind: 'decl' }];
    if (known(name)) return [];
    return [{ ...chunk, kind: 'global' }];
  });
}

/** Fills in what the whole cell uses and declares, and whether what it runs touches the CUDA
 * runtime (its statements and initializers: a function's body runs only when called). */
function scanCell(root: SyntaxNode, syntax: CellSyntax): void {
  forEachNode(root, (node, field) => {
    if (!NAME_TYPES.has(node.type) && node.type !== 'field_identifier') return;
    const text = node.text;
    if (NAME_TYPES.has(node.type)) syntax.refs.add(text);
    if (field === 'declarator' || field === 'name') syntax.declared.add(text);
  });
  const bodies = (node: SyntaxNode) => node.type === 'function_definition' || node.type === 'template_declaration';
  forEachNode(
    root,
    (node) => {
      if (node.type === 'kernel_call_syntax' || (NAME_TYPES.has(node.type) && /^(cuda[A-Z_]|ICUDA_TIME$)/.test(node.text)))
        syntax.usesCuda = true;
    },
    bodies,
  );
}

/** Splits the chunks into parts that each become one object: a new part starts where a variable
 * is defined after a statement, so initializers and statements run in the order written. */
export function partsOf(chunks: Chunk[]): Chunk[][] {
  const parts: Chunk[][] = [[]];
  let sawStatement = false;
  for (const chunk of chunks) {
    if (chunk.variable && sawStatement) {
      parts.push([]);
      sawStatement = false;
    }
    if (chunk.kind === 'stmt') sawStatement = true;
    parts.at(-1)!.push(chunk);
  }
  return parts;
}
