import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_PACKAGES, apiReports, reportPath } from '../scripts/api-report.ts';

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
