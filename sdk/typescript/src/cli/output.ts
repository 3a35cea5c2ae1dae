/** Where a command writes: stdout for results, stderr for progress and errors. */
export interface Output {
  /** `--json`: results as JSON documents on stdout, errors as problem JSON on stderr. */
  json: boolean;
  out(text: string): void;
  err(text: string): void;
}

export function processOutput(json: boolean): Output {
  return {
    json,
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  };
}

type Cell = string | number | boolean | null | undefined;

function show(value: Cell): string {
  if (value === null || value === undefined || value === '') return '-';
  return String(value);
}

/** Rows as aligned columns under upper-case headings. */
export function table(columns: string[], rows: Cell[][]): string {
  const cells = [columns.map((column) => column.toUpperCase()), ...rows.map((row) => row.map(show))];
  const widths = columns.map((_, index) => Math.max(...cells.map((row) => row[index]!.length)));
  return cells
    .map((row) => row.map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index]!))).join('  '))
    .join('\n');
}

/** A record as `key: value` lines, keys aligned. */
export function fields(entries: Array<[string, Cell]>): string {
  const width = Math.max(...entries.map(([key]) => key.length));
  return entries.map(([key, value]) => `${`${key}:`.padEnd(width + 2)}${show(value)}`).join('\n');
}

/** Prints `value` as JSON with --json, else what `human` makes of it. */
export function print<T>(output: Output, value: T, human: (value: T) => string): void {
  output.out(output.json ? JSON.stringify(value, null, 2) : human(value));
}
