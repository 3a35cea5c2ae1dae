/**
 * Dates as ISO 8601, from the ways pages write them. Extraction (typed date values), selector
 * testing (date validity) and the benchmarks' scorers all read dates through this module, so a
 * date means the same thing everywhere.
 */
const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
  january: 1,
  february: 2,
  march: 3,
  april: 4,
  june: 6,
  july: 7,
  august: 8,
  september: 9,
  october: 10,
  november: 11,
  december: 12,
};
const MONTH =
  '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
const pad = (n: number) => String(n).padStart(2, '0');

function iso(year: number, month?: number, day?: number): string | null {
  if (year < 1000 || year > 2999) return null;
  if (month === undefined) return String(year);
  if (month < 1 || month > 12) return null;
  if (day === undefined) return `${year}-${pad(month)}`;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1) return null;
  return `${year}-${pad(month)}-${pad(day)}`;
}

const monthOf = (name: string) => MONTHS[name.toLowerCase().replace('.', '')];

/**
 * ISO 8601 (as precise as the text: "2008", "2010-03", "2010-03-14", or a full timestamp) from
 * the common ways pages write dates. Numeric d/m/y is read month first unless the first part
 * exceeds 12 or dots are used (the European convention).
 */
export function parseDate(text: string): string | null {
  const t = text.trim();
  let m = /(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?/.exec(t);
  if (m) {
    const date = iso(Number(m[1]), Number(m[2]), Number(m[3]));
    if (!date) return null;
    return `${date}T${m[4]}:${m[5]}:${m[6] ?? '00'}${m[7] ? (m[7] === 'Z' ? 'Z' : m[7].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')) : ''}`;
  }
  // Chinese and Japanese 2016年10月14日, Korean 2016년 10월 14일.
  m = /(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?/.exec(t);
  if (m) return iso(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b/.exec(t);
  if (m) return iso(Number(m[1]), Number(m[2]), Number(m[3]));
  m = new RegExp(`\\b${MONTH}\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})\\b`, 'i').exec(t);
  if (m) return iso(Number(m[3]), monthOf(m[1]!), Number(m[2]));
  m = new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\.?\\s+(?:of\\s+)?${MONTH},?\\s+(\\d{4})\\b`, 'i').exec(t);
  if (m) return iso(Number(m[3]), monthOf(m[2]!), Number(m[1]));
  m = /\b(\d{1,2})([/.-])(\d{1,2})\2(\d{4})\b/.exec(t);
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[3]);
    const dayFirst = m[2] === '.' || a > 12;
    return iso(Number(m[4]), dayFirst ? b : a, dayFirst ? a : b);
  }
  m = new RegExp(`\\b${MONTH},?\\s+(\\d{4})\\b`, 'i').exec(t);
  if (m) return iso(Number(m[2]), monthOf(m[1]!));
  m = /\b(\d{4})[-/](\d{1,2})\b/.exec(t);
  if (m) return iso(Number(m[1]), Number(m[2]));
  m = /(?:^|[^\d])(1[5-9]\d{2}|2[01]\d{2})(?:[^\d]|$)/.exec(t);
  if (m) return iso(Number(m[1]));
  return null;
}

/**
 * The calendar part of a date ("2015-03-27" of "2015-03-27T13:07:55.096Z"), in the writer's own
 * time zone: a page says "March 27" for the day its timestamp carries, whatever UTC makes of it.
 * Null when the text holds no date.
 */
export function calendarDate(text: string): string | null {
  const iso = parseDate(text);
  return iso ? iso.slice(0, 10) : null;
}

/** Two texts name the same calendar date: both parse, to the same ISO date (a year alone matches only a year). */
export function sameDate(a: string, b: string): boolean {
  const x = calendarDate(a);
  return x !== null && x === calendarDate(b);
}
