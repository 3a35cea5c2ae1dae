import { sql, type SQL } from 'drizzle-orm';
import type { Period } from './analytics.repository.js';

const HOUR_MS = 3_600_000;

/**
 * A period cut for the hourly rollups: the whole UTC hours inside it are read from a rollup table,
 * the ragged edges (before the first whole hour, after the last) from the source rows. A period
 * shorter than two hours may hold no whole hour; then it is all edge.
 */
export interface RollupPeriod {
  hours: Period | null;
  edges: Period[];
}

export function splitPeriod({ from, to }: Period): RollupPeriod {
  const first = new Date(Math.ceil(from.getTime() / HOUR_MS) * HOUR_MS);
  const last = new Date(Math.floor(to.getTime() / HOUR_MS) * HOUR_MS);
  if (first >= last) return { hours: null, edges: [{ from, to }] };
  const edges = [
    { from, to: first },
    { from: last, to },
  ].filter((edge) => edge.from < edge.to);
  return { hours: { from: first, to: last }, edges };
}

/** `column` within the whole hours of the split (false when it has none). */
export function inHours(split: RollupPeriod, column: SQL = sql`hour`): SQL {
  return split.hours ? sql`${column} >= ${split.hours.from} and ${column} < ${split.hours.to}` : sql`false`;
}

/** `column` within the split's edges (false when it has none). */
export function inEdges(split: RollupPeriod, column: SQL): SQL {
  if (!split.edges.length) return sql`false`;
  return sql`(${sql.join(
    split.edges.map((edge) => sql`(${column} >= ${edge.from} and ${column} < ${edge.to})`),
    sql` or `,
  )})`;
}

/** The UTC hour a timestamp falls in, as the rollup triggers compute it. */
export function hourOf(column: SQL): SQL {
  return sql`date_trunc('hour', ${column} at time zone 'UTC') at time zone 'UTC'`;
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
