/**
 * E-mail addresses inside free text a member wrote (event log search queries, tags). One
 * detector for every place that must keep addresses out of logs, tables and releases.
 */

// Spaces around the @ too (`bob @ example.org`); lookalike at-signs (`＠`, `﹫`) become `@`
// under NFKC, so callers normalize first.
const EMAIL_PATTERN = String.raw`[^\s@<>()[\],;:"']+\s*@\s*[^\s@<>()[\],;:"']+`;
const EMAIL_IN_TEXT = new RegExp(EMAIL_PATTERN, 'g');
const HAS_EMAIL = new RegExp(EMAIL_PATTERN);

/** Replaces every e-mail address in NFKC-normalized text. */
export function replaceEmailAddresses(text: string, replacement: string): string {
  return text.replace(EMAIL_IN_TEXT, replacement);
}

/** Whether the text (normalized with NFKC here) holds something that looks like an address. */
export function containsEmailAddress(text: string): boolean {
  return HAS_EMAIL.test(text.normalize('NFKC'));
}

/** How many e-mail addresses NFKC-normalized text holds (what replaceEmailAddresses replaces). */
export function countEmailAddresses(text: string): number {
  return text.match(EMAIL_IN_TEXT)?.length ?? 0;
}
