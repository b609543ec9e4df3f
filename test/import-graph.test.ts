import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

/**
 * Core's folders from the bottom up: a module may import (values or types) from its own
 * folder and from folders below it, never from one above. Files at the top of src/ are the
 * bottom layer (tensor, errors) except the package's entries, which sit above everything.
 */
const CORE_LAYERS = [
  ['.'],
  ['methods', 'text', 'image'],
  ['backend'],
  ['gradients', 'onnx'],
  ['graph'],
  ['compile'],
  ['model'],
  ['attention'],
  ['attribution'],
  ['explainers'],
  ['metrics'],
  ['worker'],
  ['entries'],
];
const CORE_ENTRIES = ['index.ts', 'methods.ts', 'runtime.ts'];
/** Core's folders that make up the engine: @glassbox/viz may import types from them, never values. */
const ENGINE = ['backend', 'gradients', 'onnx', 'graph', 'compile', 'model'];

interface Import {
  from: string;
  to: string;
  typeOnly: boolean;
  /** Value names imported (for imports from a package). */
  names: string[];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.split(sep).includes('node_modules'))
    .map((f) => join(dir, f));
}

/** Every import, re-export and dynamic import() of a file, with whether it is erased (types only). */
function importsOf(file: string): Import[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: Import[] = [];
  const add = (specifier: ts.Expression | undefined, typeOnly: boolean, names: string[]) => {
    if (!specifier || !ts.isStringLiteral(specifier)) return;
    const text = specifier.text;
    found.push({ from: file, to: text.startsWith('.') ? resolve(dirname(file), text) : text, typeOnly, names });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const values = named?.filter((e) => !e.isTypeOnly).map((e) => (e.propertyName ?? e.name).text) ?? [];
      const typeOnly = !!clause && (clause.isTypeOnly || (!clause.name && !!named && values.length === 0));
      add(node.moduleSpecifier, typeOnly, clause ? values : ['(side effects)']);
    } else if (ts.isExportDeclaration(node)) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      const values = named?.filter((e) => !e.isTypeOnly).map((e) => (e.propertyName ?? e.name).text) ?? ['*'];
      add(node.moduleSpecifier, node.isTypeOnly || values.length === 0, values);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false, ['*']);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The import cycles among `files` (strongly connected components of more than one module, or a module importing itself). */
function cycles(files: readonly string[], imports: readonly Import[]): string[][] {
  const next = new Map<string, string[]>(files.map((f) => [f, []]));
  for (const i of imports) if (next.has(i.to)) next.get(i.from)!.push(i.to);
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v)!) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(relative(ROOT, w));
      } while (w !== v);
      if (component.length > 1 || next.get(v)!.includes(v)) found.push(component.sort());
    }
  };
  for (const f of files) if (!index.has(f)) connect(f);
  return found;
}

const PACKAGE_SOURCES = ['packages/core/src', 'packages/viz/src', 'packages/cli/src', 'demo'];

describe('the import graph', () => {
  for (const folder of PACKAGE_SOURCES) {
    it(`${folder} has no import cycle, types included`, () => {
      const files = sourceFiles(join(ROOT, folder));
      expect(cycles(files, files.flatMap(importsOf))).toEqual([]);
    });
  }

  it("core's folders import only from their own layer and the layers below", () => {
    const src = join(ROOT, 'packages/core/src');
    const layerOf = (file: string): number => {
      const path = relative(src, file).split(sep);
      const folder = path.length === 1 ? (CORE_ENTRIES.includes(path[0]!) ? 'entries' : '.') : path[0]!;
      const layer = CORE_LAYERS.findIndex((names) => names.includes(folder));
      if (layer < 0) throw new Error(`${relative(ROOT, file)}: folder "${folder}" is in no layer of CORE_LAYERS; add it where it belongs`);
      return layer;
    };
    const upward = sourceFiles(src)
      .flatMap(importsOf)
      .filter((i) => i.to.startsWith(src) && layerOf(i.to) > layerOf(i.from))
      .map((i) => `${relative(src, i.from)} -> ${relative(src, i.to)}`);
    expect(upward).toEqual([]);
  });

  it("@glassbox/viz takes only types from core's engine (its values: errors, attention reductions, plain helpers)", () => {
    const src = join(ROOT, 'packages/core/src');
    const coreImports = new Map(sourceFiles(src).map((f) => [f, importsOf(f)]));
    // Where each name of core's main entry comes from (index.ts re-exports it from one module).
    const origin = new Map<string, string>();
    const starTargets: string[] = [];
    for (const i of coreImports.get(join(src, 'index.ts'))!) {
      for (const name of i.names) name === '*' ? starTargets.push(i.to) : origin.set(name, i.to);
    }
    const declares = (file: string, name: string) =>
      new RegExp(`export (?:abstract )?(?:class|function|const|let) ${name}\\b`).test(readFileSync(file, 'utf8'));
    const reached = new Set<string>();
    const reach = (file: string) => {
      if (reached.has(file)) return;
      reached.add(file);
      for (const i of coreImports.get(file) ?? []) if (!i.typeOnly && i.to.startsWith(src)) reach(i.to);
    };
    const names = sourceFiles(join(ROOT, 'packages/viz/src'))
      .flatMap(importsOf)
      .filter((i) => i.to === '@glassbox/core' && !i.typeOnly)
      .flatMap((i) => i.names);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      const from = origin.get(name) ?? starTargets.find((file) => declares(file, name));
      expect(from, `${name}: not found among core's index.ts exports`).toBeDefined();
      reach(from!);
    }
    const engine = [...reached].map((f) => relative(src, f)).filter((f) => ENGINE.includes(f.split(sep)[0]!));
    expect(engine).toEqual([]);
  });
});

describe("core's modules change nothing outside themselves when imported", () => {
  /** The identifiers a statement calls or assigns into, when it runs (f(), m.set(), a.b = c), outside the functions it defines. */
  const calledNames = (node: ts.Node, found: ts.Identifier[] = []): ts.Identifier[] => {
    if (ts.isCallExpression(node)) {
      let callee: ts.Expression = node.expression;
      while (ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee)) callee = callee.expression;
      if (ts.isIdentifier(callee)) found.push(callee);
    }
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      let target: ts.Expression = node.left;
      while (ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target)) target = target.expression;
      if (ts.isIdentifier(target)) found.push(target);
    }
    // A function's body does not run at import.
    ts.forEachChild(node, (child) => {
      if (!ts.isFunctionLike(child)) calledNames(child, found);
    });
    return found;
  };

  it('no top-level statement calls or writes into what another module exports (registration happens by explicit calls), except in the modules sideEffects names', () => {
    const src = join(ROOT, 'packages/core/src');
    const declared: string[] = JSON.parse(readFileSync(join(ROOT, 'packages/core/package.json'), 'utf8')).sideEffects;
    const allowed = new Set(declared.filter((p) => p.startsWith('./src/')).map((p) => join(ROOT, 'packages/core', p)));
    const found = sourceFiles(src)
      .filter((file) => !allowed.has(file))
      .flatMap((file) => {
        const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
        const imported = new Set<string>();
        for (const s of source.statements) {
          const clause = ts.isImportDeclaration(s) ? s.importClause : undefined;
          if (!clause) continue;
          if (clause.name) imported.add(clause.name.text);
          const bindings = clause.namedBindings;
          if (bindings && ts.isNamespaceImport(bindings)) imported.add(bindings.name.text);
          if (bindings && ts.isNamedImports(bindings)) for (const e of bindings.elements) imported.add(e.name.text);
        }
        return source.statements
          .filter(
            (s) => !ts.isImportDeclaration(s) && !ts.isExportDeclaration(s) && !ts.isDeclarationStatement(s) && !ts.isVariableStatement(s),
          )
          .filter((s) => calledNames(s).some((id) => imported.has(id.text)))
          .map((s) => `${relative(src, file)}:${source.getLineAndCharacterOfPosition(s.getStart()).line + 1}: ${s.getText().slice(0, 60)}`);
      });
    expect(found).toEqual([]);
  });
});
