import { DatasetError } from './errors.ts';
import { forEachLine } from './lines.ts';

/** Splits one CSV line into fields, honouring double quotes ("" inside quotes is a quote). */
export function splitCsvLine(line: string): string[] | null {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field === '') quoted = true;
    else if (char === ',') {
      fields.push(field);
      field = '';
    } else field += char;
  }
  if (quoted) return null; // an unterminated quote
  fields.push(field);
  return fields;
}

/** Quotes a CSV field when it holds a comma, a quote or a line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * Calls `onRow(fields, line)` for every record of a UTF-8 CSV file after its header, which must
 * be exactly `header`; every record must have as many fields as the header.
 */
export function forEachCsvRow(
  path: string,
  header: string,
  onRow: (fields: string[], line: number) => void,
): Promise<void> {
  const count = header.split(',').length;
  return forEachLine(path, 'utf8', (text, number) => {
    if (number === 1) {
      if (text.replace(/^\uFEFF/, '') !== header)
        throw new DatasetError(path, number, `expected the header "${header}", found "${text}"`);
      return;
    }
    const fields = splitCsvLine(text);
    if (fields === null) throw new DatasetError(path, number, 'unterminated quoted field');
    if (fields.length !== count) {
      throw new DatasetError(
        path,
        number,
        `expected ${count} comma-separated fields (${header}), found ${fields.length}`,
      );
    }
    onRow(fields, number);
  });
}
