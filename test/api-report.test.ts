import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_PACKAGES, apiReports, entriesOf, reportPath } from '../scripts/api-report.ts';

/** What users can import is a reviewed change: packages/<name>/api.md must match the source (`pnpm api-report` rewrites it). */
describe('the public API reports', () => {
  const reports = apiReports();
  for (const name of API_PACKAGES) {
    it(`@glassbox/${name}'s exports match packages/${name}/api.md`, () => {
      const committed = readFileSync(reportPath(name), 'utf8');
      expect(reports[name], `the public API of @glassbox/${name} changed: run \`pnpm api-report\` and commit packages/${name}/api.md`).toBe(
        committed,
      );
    });
  }
});

/** The viz and CLI packages and the demo use core as its users do: through its package entries, never a path into its source. */
describe('core is imported through its public entries', () => {
  const root = join(import.meta.dirname, '..');
  const folders = ['packages/viz/src', 'packages/cli/src', 'demo'];
  const entries = new Set(API_PACKAGES.flatMap((name) => entriesOf(name).map(([specifier]) => specifier)));
  for (const folder of folders) {
    it(`${folder} imports only relative paths inside itself, core's and viz's entries, and other packages`, () => {
      const bad: string[] = [];
      for (const file of readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })) {
        // A failed browser test leaves a folder named after its file (__screenshots__/x.browser.test.ts/).
        if (!file.endsWith('.ts') || file.split(sep).includes('node_modules') || !statSync(join(root, folder, file)).isFile()) continue;
        const text = readFileSync(join(root, folder, file), 'utf8');
        for (const [, specifier] of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
          const path = resolve(root, folder, dirname(file), specifier!);
          const ok = specifier!.startsWith('.')
            ? path.startsWith(join(root, folder) + sep)
            : !specifier!.startsWith('@glassbox/') || entries.has(specifier!);
          if (!ok) bad.push(`${folder}/${file}: ${specifier}`);
        }
      }
      expect(bad).toEqual([]);
    });
  }
});
