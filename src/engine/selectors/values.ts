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
