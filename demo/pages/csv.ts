/**
 * CSV as RFC 4180 writes it: fields separated by commas, records by CRLF or LF; a field in
 * double quotes may hold commas, line breaks and doubled quotes ("").
 */

/** The records of a CSV text, each a list of fields (a trailing line break ends the last record, it does not start one). */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let open = false; // whether a record has begun since the last line break
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    open = true;
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      open = false;
    } else field += c;
  }
  if (open) {
    record.push(field);
    records.push(record);
  }
  return records;
}

const needsQuotes = /[",\r\n]|^\s|\s$/;

/** CSV text of `records` (LF line breaks), quoting the fields that need it. */
export function toCsv(records: readonly (readonly (string | number)[])[]): string {
  const cell = (v: string | number) => {
    const s = String(v);
    return needsQuotes.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return records.map((r) => `${r.map(cell).join(',')}\n`).join('');
}
