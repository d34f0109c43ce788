import { createReadStream, existsSync, statSync } from 'node:fs';
import { DatasetError } from './errors.ts';

export type TextEncoding = 'latin1' | 'utf8';

const utf8 = new TextDecoder('utf-8', { fatal: true });
// A valid UTF-8 multi-byte sequence for a Latin-1 letter (lead byte C2/C3 then a continuation byte).
const UTF8_LATIN_LETTER = /[\u00c2\u00c3][\u0080-\u00bf]/;

export function requireFile(path: string): void {
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new DatasetError(path, 0, 'file not found');
  }
}

/**
 * Calls `onLine(bytes, number)` for every non-empty line of a file, in order, without a trailing
 * carriage return. The callback is synchronous so that millions of lines stream quickly; `bytes`
 * is only valid during the call.
 *
 * Every line must end with a newline: a file cut off in the middle of its last line would
 * otherwise pass for complete, since a number or a title cut short still parses (a timestamp
 * `88043` for `880432117`), so a last line without one is refused.
 */
export async function forEachLineBytes(
  path: string,
  onLine: (bytes: Buffer, number: number) => void,
): Promise<void> {
  requireFile(path);
  let pending: Buffer | null = null;
  let number = 0;
  const emit = (bytes: Buffer): void => {
    number++;
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === 0x0d) end--;
    if (end > 0) onLine(end === bytes.length ? bytes : bytes.subarray(0, end), number);
  };
  for await (const chunk of createReadStream(path, {
    highWaterMark: 1 << 20,
  }) as AsyncIterable<Buffer>) {
    let start = 0;
    let newline = chunk.indexOf(0x0a, start);
    while (newline !== -1) {
      const piece = chunk.subarray(start, newline);
      emit(pending ? Buffer.concat([pending, piece]) : piece);
      pending = null;
      start = newline + 1;
      newline = chunk.indexOf(0x0a, start);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      pending = pending ? Buffer.concat([pending, rest]) : Buffer.from(rest);
    }
  }
  if (pending) {
    throw new DatasetError(
      path,
      number + 1,
      'the last line is cut short (no newline at the end of the file)',
    );
  }
}

/**
 * Decodes one line strictly: a UTF-8 file with invalid bytes, or an ISO-8859-1 file that is
 * really UTF-8, is an error naming the line.
 */
export function decodeLine(
  bytes: Buffer,
  encoding: TextEncoding,
  path: string,
  number: number,
): string {
  if (encoding === 'utf8') {
    try {
      return utf8.decode(bytes);
    } catch {
      throw new DatasetError(path, number, 'wrong encoding: the file is not valid UTF-8');
    }
  }
  const text = bytes.toString('latin1');
  if (UTF8_LATIN_LETTER.test(text)) {
    throw new DatasetError(
      path,
      number,
      'wrong encoding: expected ISO-8859-1 but found UTF-8 text',
    );
  }
  return text;
}

/** Calls `onLine(text, number)` for every non-empty line, decoded strictly. */
export function forEachLine(
  path: string,
  encoding: TextEncoding,
  onLine: (text: string, number: number) => void,
): Promise<void> {
  return forEachLineBytes(path, (bytes, number) =>
    onLine(decodeLine(bytes, encoding, path, number), number),
  );
}

/** Parses a whole decimal integer field, or throws naming the file, line and field. */
export function parseId(value: string, what: string, path: string, line: number): number {
  if (!/^\d{1,10}$/.test(value) || Number(value) > 2147483647) {
    throw new DatasetError(path, line, `${what} "${value}" is not a positive whole number`);
  }
  return Number(value);
}

/**
 * Returns a text field (a title, genres, a zip code), or throws when it holds a control character:
 * a NUL, a tab or a stray carriage return in a title is damage, not text.
 */
export function parseText(value: string, what: string, path: string, line: number): string {
  const control = /\p{Cc}/u.exec(value);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new DatasetError(path, line, `${what} contains a control character (U+${code})`);
  }
  return value;
}

/**
 * Fast path for lines of plain numbers: parses `count` unsigned decimal fields separated by the
 * separator bytes into `out`. Returns false when the line is anything else (then the caller
 * parses the text slowly and reports the exact problem).
 */
export function parseNumberFields(
  bytes: Buffer,
  separator: Uint8Array,
  count: number,
  out: Float64Array,
): boolean {
  let position = 0;
  const length = bytes.length;
  for (let field = 0; field < count; field++) {
    let value = 0;
    let digits = 0;
    let scale = 0;
    while (position < length) {
      const byte = bytes[position];
      if (byte >= 0x30 && byte <= 0x39) {
        value = value * 10 + (byte - 0x30);
        digits++;
        if (scale > 0) scale *= 10;
      } else if (byte === 0x2e && scale === 0) {
        scale = 1;
      } else break;
      position++;
    }
    if (digits === 0 || digits > 10) return false;
    out[field] = scale > 1 ? value / scale : value;
    if (field === count - 1) return position === length;
    for (let s = 0; s < separator.length; s++) {
      if (bytes[position + s] !== separator[s]) return false;
    }
    position += separator.length;
  }
  return false;
}
