/** Values compare as people read them: NFKC, case, white space and outer punctuation ignored. */
export function comparable(value: string): string {
  return value
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, '');
}

export function sameValue(a: string, b: string): boolean {
  const x = comparable(a);
  return x !== '' && x === comparable(b);
}

export const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A regex keeping the index-th part of a text split by a one-character separator ("A / 2008 / B"). */
export function segmentRegex(separator: string, index: number): string {
  const sep = escapeRegExp(separator.trim());
  const other = `[^${sep}]`;
  return `^(?:${other}*${sep}){${index}}\\s*(${other}+?)\\s*(?:${sep}|$)`;
}
