import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsv, toCsv } from '../demo/pages/csv.ts';

/** The demo data-set page's CSV reading and writing (demo/pages/csv.ts). */
describe('CSV', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF or LF, with or without a final line break', () => {
    const text = 'text,label\r\n"Fine, really",1\r\n"She said ""no""",0\n"two\nlines",\n""';
    expect(parseCsv(text)).toEqual([['text', 'label'], ['Fine, really', '1'], ['She said "no"', '0'], ['two\nlines', ''], ['']]);
    expect(parseCsv('a,b\n1,2\n')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(parseCsv('')).toEqual([]);
  });

  it('what toCsv writes, parseCsv reads back', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', ',', '"', '\n', '\r', 'é', '😀') });
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 1, maxLength: 4 }), { maxLength: 5 }), (records) => {
        // A record of one empty field is the empty line; it reads back as [''] as well.
        expect(parseCsv(toCsv(records))).toEqual(records);
      }),
    );
  });
});
