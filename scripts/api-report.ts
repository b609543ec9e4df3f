/**
 * The public surface of each library package, as one line per exported name: its kind and
 * its type as the TypeScript checker prints it (functions with their signatures, classes and
 * interfaces with their public members). A package's entries are the ones its package.json
 * "exports" lists (`.` and subpaths such as `@glassbox/core/methods`), one section each. The report is committed as packages/<name>/api.md;
 * test/api-report.test.ts fails when the surface differs from it, so a change to what users
 * can import is always a reviewed change to that file. `pnpm api-report` rewrites the reports.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const ROOT = join(import.meta.dirname, '..');
export const API_PACKAGES = ['core', 'viz'] as const;

const FLAGS =
  ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope | ts.TypeFormatFlags.WriteArrowStyleSignature;

/** A package's entries: import specifier -> source file, from its package.json "exports" (which point at src in the workspace). */
export function entriesOf(name: string): [specifier: string, file: string][] {
  const dir = join(ROOT, 'packages', name);
  const exports: Record<string, string> = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).exports;
  return Object.entries(exports).map(([sub, file]) => [`@glassbox/${name}${sub === '.' ? '' : sub.slice(1)}`, join(dir, file)]);
}

function program(): ts.Program {
  const configPath = join(ROOT, 'tsconfig.json');
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const roots = API_PACKAGES.flatMap((name) => entriesOf(name).map(([, file]) => file));
  return ts.createProgram(roots, config.options);
}

/**
 * `text` with the alternatives of every union sorted, at every nesting level: the checker
 * prints a union's members in the order it met them, which depends on what it checked first,
 * so the same surface would print differently from run to run.
 */
export function sortUnions(text: string): string {
  const close: Record<string, string> = { '(': ')', '[': ']', '{': '}', '<': '>' };
  let i = 0;
  // Reads until `end` (or the end of the text); each comma- or semicolon-separated item's alternatives sorted.
  const group = (end?: string): string => {
    let out = '';
    let parts: string[] = [];
    let current = '';
    const flush = () => {
      parts.push(current);
      out += parts.length > 1 ? parts.sort().join(' | ') : parts[0]!;
      parts = [];
      current = '';
    };
    while (i < text.length) {
      const c = text[i]!;
      if (c === end) break;
      if (c === '"' || c === "'" || c === '`') {
        const j = text.indexOf(c, i + 1);
        current += text.slice(i, j + 1);
        i = j + 1;
      } else if (c in close) {
        i++;
        const inner = group(close[c]);
        current += c + inner + (text[i] ?? '');
        i++;
      } else if (c === '=' && text[i + 1] === '>') {
        // An arrow's return type runs to the end of its item: its alternatives are its own.
        i += 2;
        current += '=>';
        flush();
        out += group(end === undefined ? undefined : end);
        return out;
      } else if (parts.length === 0 && ((c === ' ' && current === '') || (c === ':' && text[i + 1] === ' '))) {
        // A label (a parameter's or member's name) or the space after a separator: not part of the union.
        out += current + c;
        current = '';
        i++;
      } else if (c === ',' || c === ';') {
        flush();
        out += c;
        i++;
      } else if (text.startsWith(' | ', i)) {
        parts.push(current);
        current = '';
        i += 3;
      } else {
        current += c;
        i++;
      }
    }
    flush();
    return out;
  };
  return group();
}

function kindOf(symbol: ts.Symbol): string {
  const f = symbol.flags;
  if (f & ts.SymbolFlags.Class) return 'class';
  if (f & ts.SymbolFlags.Function) return 'function';
  if (f & ts.SymbolFlags.Enum) return 'enum';
  if (f & ts.SymbolFlags.Variable) return 'const';
  if (f & ts.SymbolFlags.Interface) return 'interface';
  if (f & ts.SymbolFlags.TypeAlias) return 'type';
  if (f & ts.SymbolFlags.Namespace) return 'namespace';
  return 'other';
}

/** Public members of a class or interface: `name: type`, one per line, sorted. */
function members(checker: ts.TypeChecker, type: ts.Type, at: ts.Node): string[] {
  return checker
    .getPropertiesOfType(type)
    .filter((p) => {
      const modifiers = p.valueDeclaration ? ts.getCombinedModifierFlags(p.valueDeclaration) : 0;
      return !(modifiers & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) && !p.name.startsWith('#');
    })
    .map(
      (p) =>
        `    ${p.name}${p.flags & ts.SymbolFlags.Optional ? '?' : ''}: ${sortUnions(checker.typeToString(checker.getTypeOfSymbolAtLocation(p, at), at, FLAGS))}`,
    )
    .sort();
}

function describe(checker: ts.TypeChecker, exported: ts.Symbol, at: ts.SourceFile): string {
  const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  const kind = kindOf(symbol);
  const head = `${kind} ${exported.name}`;
  if (kind === 'class') {
    const statics = checker.getTypeOfSymbolAtLocation(symbol, at);
    const instance = checker.getDeclaredTypeOfSymbol(symbol);
    const construct = statics.getConstructSignatures().map((s) => `    new${sortUnions(checker.signatureToString(s, at, FLAGS))}`);
    const staticMembers = members(checker, statics, at)
      .filter((l) => !l.startsWith('    prototype:'))
      .map((l) => `    static ${l.trim()}`);
    return [head, ...construct, ...staticMembers, ...members(checker, instance, at)].join('\n');
  }
  if (kind === 'interface') return [head, ...members(checker, checker.getDeclaredTypeOfSymbol(symbol), at)].join('\n');
  if (kind === 'type')
    return `${head} = ${sortUnions(checker.typeToString(checker.getDeclaredTypeOfSymbol(symbol), at, FLAGS | ts.TypeFormatFlags.InTypeAlias))}`;
  return `${head}: ${sortUnions(checker.typeToString(checker.getTypeOfSymbolAtLocation(symbol, at), at, FLAGS))}`;
}

/** Each package's report, as its api.md would hold it. */
export function apiReports(): Record<string, string> {
  const p = program();
  const checker = p.getTypeChecker();
  const out: Record<string, string> = {};
  for (const name of API_PACKAGES) {
    const entries = entriesOf(name);
    let total = 0;
    const sections = entries.map(([specifier, path]) => {
      const file = p.getSourceFile(path)!;
      const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(file)!).sort((a, b) => a.name.localeCompare(b.name));
      total += exports.length;
      const lines = exports.map((s) => describe(checker, s, file));
      return `## ${specifier} (${exports.length} names)\n\n\`\`\`ts\n${lines.join('\n')}\n\`\`\`\n`;
    });
    const head = `# @glassbox/${name}: public API (${total} names${entries.length > 1 ? ` in ${entries.length} entries` : ''})`;
    out[name] =
      `${head}\n\nWritten by \`pnpm api-report\` (scripts/api-report.ts); test/api-report.test.ts fails when this differs from the source.\n\n${sections.join('\n')}`;
  }
  return out;
}

export const reportPath = (name: string) => join(ROOT, 'packages', name, 'api.md');

if (import.meta.url === `file://${process.argv[1]}`) {
  const reports = apiReports();
  for (const [name, text] of Object.entries(reports)) {
    const before = (() => {
      try {
        return readFileSync(reportPath(name), 'utf8');
      } catch {
        return '';
      }
    })();
    writeFileSync(reportPath(name), text);
    console.log(`packages/${name}/api.md: ${before === text ? 'unchanged' : 'written'}`);
  }
}
