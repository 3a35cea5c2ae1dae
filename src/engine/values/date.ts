/**
 * Dates as ISO 8601, from the ways pages write them. Extraction (typed date values), selector
 * testing (date validity) and the benchmarks' scorers all read dates through this module, so a
 * date means the same thing everywhere.
 */
/**
 * Month names and abbreviations by month number, in the languages pages are written in (the
 * genitive forms Slavic and Finnish dates use). English words that are also abbreviations
 * elsewhere ("set", "ago", "out", "mag") are left out: "3 days ago 2021" is no date.
 */
const MONTH_NAMES: string[][] = [
  [
    'jan',
    'january',
    'januar',
    'jänner',
    'janvier',
    'janv',
    'enero',
    'ene',
    'gennaio',
    'gen',
    'janeiro',
    'januari',
    'stycznia',
    'января',
    'ledna',
    'ocak',
    'ianuarie',
    'január',
    'tammikuuta',
  ],
  [
    'feb',
    'february',
    'februar',
    'février',
    'févr',
    'febrero',
    'febbraio',
    'fevereiro',
    'fev',
    'februari',
    'lutego',
    'февраля',
    'února',
    'şubat',
    'februarie',
    'február',
    'helmikuuta',
  ],
  [
    'mar',
    'march',
    'märz',
    'mär',
    'mars',
    'marzo',
    'março',
    'maart',
    'mrt',
    'marts',
    'marca',
    'марта',
    'března',
    'mart',
    'martie',
    'március',
    'maaliskuuta',
  ],
  ['apr', 'april', 'avril', 'avr', 'abril', 'abr', 'aprile', 'kwietnia', 'апреля', 'dubna', 'nisan', 'aprilie', 'április', 'huhtikuuta'],
  ['may', 'mai', 'mayo', 'maggio', 'maio', 'mei', 'maj', 'maja', 'мая', 'května', 'mayıs', 'május', 'toukokuuta'],
  [
    'jun',
    'june',
    'juni',
    'juin',
    'junio',
    'giugno',
    'giu',
    'junho',
    'czerwca',
    'июня',
    'června',
    'haziran',
    'iunie',
    'június',
    'kesäkuuta',
  ],
  [
    'jul',
    'july',
    'juli',
    'juillet',
    'juil',
    'julio',
    'luglio',
    'lug',
    'julho',
    'lipca',
    'июля',
    'července',
    'temmuz',
    'iulie',
    'július',
    'heinäkuuta',
  ],
  ['aug', 'august', 'août', 'agosto', 'augustus', 'augusti', 'sierpnia', 'августа', 'srpna', 'ağustos', 'augusztus', 'elokuuta'],
  [
    'sep',
    'sept',
    'september',
    'septembre',
    'septiembre',
    'setiembre',
    'settembre',
    'setembro',
    'września',
    'сентября',
    'září',
    'eylül',
    'septembrie',
    'szeptember',
    'syyskuuta',
  ],
  [
    'oct',
    'october',
    'oktober',
    'okt',
    'octobre',
    'octubre',
    'ottobre',
    'ott',
    'outubro',
    'października',
    'октября',
    'října',
    'ekim',
    'octombrie',
    'október',
    'lokakuuta',
  ],
  ['nov', 'november', 'novembre', 'noviembre', 'novembro', 'listopada', 'ноября', 'listopadu', 'kasım', 'noiembrie', 'marraskuuta'],
  [
    'dec',
    'december',
    'dezember',
    'dez',
    'décembre',
    'déc',
    'diciembre',
    'dic',
    'dicembre',
    'dezembro',
    'desember',
    'grudnia',
    'декабря',
    'prosince',
    'aralık',
    'decembrie',
    'joulukuuta',
  ],
];
const MONTHS = new Map(MONTH_NAMES.flatMap((names, index) => names.map((name) => [name, index + 1] as const)));
/** Longest names first, so "march" is not read as "mar"; no letter may follow the name. */
const MONTH = `(${[...MONTHS.keys()].sort((a, b) => b.length - a.length).join('|')})(?!\\p{L})\\.?`;
// "March 4, 2021"; "4 March 2021", "4. März 2021", "4 de marzo de 2021"; "2021. március 4."; "March 2021".
const MONTH_DAY_YEAR = new RegExp(`(?<!\\p{L})${MONTH}\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})\\b`, 'iu');
const DAY_MONTH_YEAR = new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\.?\\s+(?:of\\s+|de\\s+)?${MONTH},?\\s+(?:de\\s+)?(\\d{4})\\b`, 'iu');
const YEAR_MONTH_DAY = new RegExp(`\\b(\\d{4})\\.\\s+${MONTH}\\s+(\\d{1,2})\\b`, 'iu');
const MONTH_YEAR = new RegExp(`(?<!\\p{L})${MONTH},?\\s+(?:de\\s+)?(\\d{4})\\b`, 'iu');
const pad = (n: number) => String(n).padStart(2, '0');

/**
 * The words a dated line writes around its date, in the same languages: month names, ordinals,
 * times of day and the "published on" / "updated" phrases ("Veröffentlicht am 4. März 2021, 10:15
 * Uhr", "Publié le 4 mars 2021 à 10h00"). What is left once they and the numbers are gone tells a
 * date from a sentence holding one.
 */
const DATE_LINE_WORDS = new RegExp(
  `(?<!\\p{L})(?:${[
    ...MONTHS.keys(),
    'st|nd|rd|th|of|at|am|pm|utc|gmt|on|published|posted|updated|modified|h|uhr|um|veröffentlicht|aktualisiert|erschienen|publié|publiée|mis|en|ligne|jour|le|à|publicado|publicada|actualizado|el|de|del|a|las|pubblicato|aggiornato|il|alle|ore|gepubliceerd|bijgewerkt|op|om|opublikowano|zaktualizowano|godz|dnia|publicerad|publiceret|publisert|kl|julkaistu|päivitetty|klo',
  ].join('|')})(?!\\p{L})\\.?`,
  'giu',
);

/** A text with its date-line words and its numbers and marks removed: empty for a date line. */
export function beyondDateLine(text: string): string {
  return text.replace(DATE_LINE_WORDS, '').replace(/[\d\s,./:+-]/g, '');
}

function iso(year: number, month?: number, day?: number): string | null {
  if (year < 1000 || year > 2999) return null;
  if (month === undefined) return String(year);
  if (month < 1 || month > 12) return null;
  if (day === undefined) return `${year}-${pad(month)}`;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1) return null;
  return `${year}-${pad(month)}-${pad(day)}`;
}

const monthOf = (name: string) => MONTHS.get(name.toLowerCase().replace('.', ''));

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
  m = MONTH_DAY_YEAR.exec(t);
  if (m) return iso(Number(m[3]), monthOf(m[1]!), Number(m[2]));
  m = DAY_MONTH_YEAR.exec(t);
  if (m) return iso(Number(m[3]), monthOf(m[2]!), Number(m[1]));
  m = YEAR_MONTH_DAY.exec(t);
  if (m) return iso(Number(m[1]), monthOf(m[2]!), Number(m[3]));
  m = /\b(\d{1,2})([/.-])(\d{1,2})\2(\d{4})\b/.exec(t);
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[3]);
    const dayFirst = m[2] === '.' || a > 12;
    return iso(Number(m[4]), dayFirst ? b : a, dayFirst ? a : b);
  }
  m = MONTH_YEAR.exec(t);
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
