/**
 * The public surface of each library package, as one line per exported name: its kind and
 * its type as the TypeScript checker prints it (functions with their signatures, classes and
 * interfaces with their public members). The report is committed as packages/<name>/api.md;
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

function program(): ts.Program {
  const configPath = join(ROOT, 'tsconfig.json');
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const roots = API_PACKAGES.map((name) => join(ROOT, 'packages', name, 'src', 'index.ts'));
  return ts.createProgram(roots, config.options);
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
        `    ${p.name}${p.flags & ts.SymbolFlags.Optional ? '?' : ''}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(p, at), at, FLAGS)}`,
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
    const construct = statics.getConstructSignatures().map((s) => `    new${checker.signatureToString(s, at, FLAGS)}`);
    const staticMembers = members(checker, statics, at)
      .filter((l) => !l.startsWith('    prototype:'))
      .map((l) => `    static ${l.trim()}`);
    return [head, ...construct, ...staticMembers, ...members(checker, instance, at)].join('\n');
  }
  if (kind === 'interface') return [head, ...members(checker, checker.getDeclaredTypeOfSymbol(symbol), at)].join('\n');
  if (kind === 'type')
    return `${head} = ${checker.typeToString(checker.getDeclaredTypeOfSymbol(symbol), at, FLAGS | ts.TypeFormatFlags.InTypeAlias)}`;
  return `${head}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(symbol, at), at, FLAGS)}`;
}

/** Each package's report, as its api.md would hold it. */
export function apiReports(): Record<string, string> {
  const p = program();
  const checker = p.getTypeChecker();
  const out: Record<string, string> = {};
  for (const name of API_PACKAGES) {
    const file = p.getSourceFile(join(ROOT, 'packages', name, 'src', 'index.ts'))!;
    const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(file)!).sort((a, b) => a.name.localeCompare(b.name));
    const lines = exports.map((s) => describe(checker, s, file));
    out[name] =
      `# @glassbox/${name}: public API (${exports.length} names)\n\nWritten by \`pnpm api-report\` (scripts/api-report.ts); test/api-report.test.ts fails when this differs from the source.\n\n\`\`\`ts\n${lines.join('\n')}\n\`\`\`\n`;
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
