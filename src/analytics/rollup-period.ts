/** A half-open time range [from, to). */
export interface Period {
  from: Date;
  to: Date;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export type Span = 'hour' | 'day';

/**
 * A period cut for the rollups: whole UTC days inside it are read from the day rollup, the whole
 * hours around them from the hour rollup, and the ragged edges (before the first whole hour, after
 * the last) from the source rows. A period shorter than two hours may hold no whole hour; then it
 * is all edge. `days: false` keeps to hours, for series by the hour.
 */
export interface RollupPeriod {
  days: Period | null;
  hours: Period[];
  edges: Period[];
}

const ceil = (date: Date, step: number) => new Date(Math.ceil(date.getTime() / step) * step);
const floor = (date: Date, step: number) => new Date(Math.floor(date.getTime() / step) * step);
const nonEmpty = (periods: Period[]) => periods.filter((period) => period.from < period.to);

export function splitPeriod({ from, to }: Period, options: { days: boolean }): RollupPeriod {
  const firstHour = ceil(from, HOUR_MS);
  const lastHour = floor(to, HOUR_MS);
  if (firstHour >= lastHour) return { days: null, hours: [], edges: [{ from, to }] };
  const edges = nonEmpty([
    { from, to: firstHour },
    { from: lastHour, to },
  ]);
  const firstDay = ceil(from, DAY_MS);
  const lastDay = floor(to, DAY_MS);
  if (!options.days || firstDay >= lastDay) return { days: null, hours: [{ from: firstHour, to: lastHour }], edges };
  return {
    days: { from: firstDay, to: lastDay },
    hours: nonEmpty([
      { from: firstHour, to: firstDay },
      { from: lastDay, to: lastHour },
    ]),
    edges,
  };
}

/**
 * percentile_cont(0.95) as PostgreSQL computes it (linear interpolation between the two closest
 * ranks, in float8), given a way to read the values at descending offsets: the same figure, read
 * from the top of an index instead of sorting every value.
 */
export interface PercentileRanks {
  /** Offset of the higher of the two ranks, counted from the largest value. */
  offset: number;
  /** How many values to read from there: 1 or 2. */
  count: number;
  finish(valuesDescending: number[]): number | null;
}

export function p95Ranks(n: number): PercentileRanks {
  const rank = 0.95 * (n - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return {
    offset: n - 1 - high,
    count: high - low + 1,
    finish(values) {
      if (values.length < high - low + 1) return null;
      const first = values[values.length - 1]!;
      if (high === low) return first;
      const second = values[0]!;
      return first + (second - first) * (rank - low);
    },
  };
}
