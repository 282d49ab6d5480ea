// Small questions asked of tree-sitter nodes: a declarator's name, a declaration's qualifiers,
// a node's text without some of its children, and the identifiers below a node.
import type { SyntaxNode } from './parser.js';

/** Identifier-like nodes that can name something an earlier cell defined. */
const NAME_TYPES = new Set(['identifier', 'type_identifier', 'namespace_identifier']);
/** Declarators that wrap the name without changing what is declared. */
const WRAPPERS = new Set(['pointer_declarator', 'reference_declarator', 'array_declarator', 'init_declarator', 'attributed_declarator']);
/** Leaves that are a declared name. */
const LEAVES = new Set(['identifier', 'field_identifier', 'type_identifier', 'operator_name', 'destructor_name']);

/** The name a declarator declares. */
export interface DeclaredName {
  name: string;
  /** Written `A::b`: a member or namespace member defined outside its class or namespace. */
  qualified: boolean;
  /** Declares a function (not a pointer to one). */
  isFunction: boolean;
  /** Declares a pointer (`*p`): a `const` on the type is not on the variable. */
  throughPointer: boolean;
  /** A `* const` on the way: the variable itself is const. */
  constPointer: boolean;
}

/** The name declared by a declarator, or undefined when it has none (an abstract declarator). */
export function nameOf(declarator: SyntaxNode | null): DeclaredName | undefined {
  const found: DeclaredName = { name: '', qualified: false, isFunction: false, throughPointer: false, constPointer: false };
  let node = declarator;
  while (node) {
    if (LEAVES.has(node.type)) return { ...found, name: node.text };
    if (node.type === 'qualified_identifier') return { ...found, name: node.text, qualified: true };
    if (node.type === 'function_declarator') {
      const inner = node.childForFieldName('declarator');
      found.isFunction ||= inner?.type !== 'parenthesized_declarator';
      node = inner;
    } else if (node.type === 'parenthesized_declarator') {
      node = node.namedChildren.find((child) => child !== null) ?? null;
    } else if (WRAPPERS.has(node.type)) {
      if (node.type === 'pointer_declarator') {
        found.throughPointer = true;
        found.constPointer ||= node.children.some((child) => child?.type === 'type_qualifier' && child.text === 'const');
      }
      node = node.childForFieldName('declarator');
    } else {
      return undefined;
    }
  }
  return undefined;
}

/** The specifiers written on a declaration: static, inline, const, constexpr, __global__, __device__... */
export function qualifiersOf(node: SyntaxNode): Set<string> {
  const found = new Set<string>();
  for (const child of node.children) {
    if (!child) continue;
    if (child.type === 'storage_class_specifier' || child.type === 'type_qualifier') found.add(child.text);
    else if (!child.isNamed && child.text.startsWith('__')) found.add(child.text);
  }
  return found;
}

/** The node's text with the children `drop` picks left out. */
export function textWithout(node: SyntaxNode, drop: (child: SyntaxNode) => boolean): string {
  let text = node.text;
  const children = node.children.filter((child): child is SyntaxNode => child !== null && drop(child));
  for (const child of children.reverse()) {
    text = text.slice(0, child.startIndex - node.startIndex) + text.slice(child.endIndex - node.startIndex);
  }
  return text;
}

/** Whether a child is the `static` specifier (dropped so a cell's definitions can be linked to). */
export function isStatic(child: SyntaxNode): boolean {
  return child.type === 'storage_class_specifier' && child.text === 'static';
}

/** Visits every node below `root` (and root itself) in source order, except subtrees `skip` picks. */
export function forEachNode(
  root: SyntaxNode,
  visit: (node: SyntaxNode, field: string | null) => void,
  skip?: (node: SyntaxNode) => boolean,
) {
  const cursor = root.walk();
  try {
    for (;;) {
      const node = cursor.currentNode;
      const skipped = node.id !== root.id && skip?.(node);
      if (!skipped) visit(node, cursor.currentFieldName);
      if (!skipped && cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) return;
    }
  } finally {
    cursor.delete();
  }
}

/** The identifiers used below `root` (optionally leaving a subtree out). */
export function identifiersIn(root: SyntaxNode, skip?: (node: SyntaxNode) => boolean): string[] {
  const names = new Set<string>();
  forEachNode(
    root,
    (node) => {
      if (NAME_TYPES.has(node.type)) names.add(node.text);
    },
    skip,
  );
  return [...names];
}
