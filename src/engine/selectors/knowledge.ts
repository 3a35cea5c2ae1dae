import type { FieldType } from '../blueprint/schema.js';
import { normalizeLabel } from '../extract/labels.js';
import { nameWords } from '../extract/places.js';

/**
 * Generic field knowledge: what a field name means, which labels pages use for it, where
 * structured data keeps it, and what its values look like. Nothing here is specific to a site;
 * unknown names fall back to their own words.
 */
export type ValueKind =
  | 'isbn13'
  | 'isbn10'
  | 'isbn'
  | 'gtin'
  | 'date'
  | 'money'
  | 'number'
  | 'person'
  | 'byline'
  | 'organization'
  | 'title'
  | 'url'
  | 'image'
  | 'identifier'
  | 'availability'
  | 'shortText'
  | 'longText';

interface Concept {
  /** Canonical field names and their label synonyms, strongest first. */
  labels: string[];
  /** Weaker labels that sometimes carry the concept (e.g. "vendor" for a publisher). */
  weakLabels?: string[];
  jsonld?: string[];
  meta?: string[];
  itemprop?: string[];
  /** Words that mark an element's class or id as holding this field. */
  classWords?: string[];
  type: FieldType;
  kind: ValueKind;
  multiple?: boolean;
  heading?: boolean;
}

/** "Price" in the languages shops are written in, as labels and class names write it. */
const PRICE_WORDS = ['preis', 'prix', 'prezzo', 'precio', 'prijs', 'pris', 'cena', 'hinta', 'fiyat'];

/** Who wrote a page: the person's name, without the byline word or other roles' credits. */
const AUTHOR: Concept = {
  labels: [
    'author',
    'authors',
    'by',
    'written by',
    'story by',
    'words by',
    'posted by',
    'reporting by',
    'writer',
    'author s',
    'authored by',
    'creator',
    'byline',
    'autor',
    'autorin',
    'autoren',
    'auteur',
    'auteurs',
    'autore',
    'autori',
    'autores',
    'verfasser',
    'forfatter',
    'författare',
  ],
  weakLabels: ['contributor', 'contributors', 'editor', 'artist', 'von', 'par', 'por'],
  jsonld: ['author.name', 'author', 'creator.name', 'creator'],
  // The bibliographic creator before the generic "author" tag, which CMSs often fill with the site.
  meta: [
    'dc:creator',
    'dcterms.creator',
    'dc.creator',
    'author',
    'book:author',
    'article:author',
    'og:article:author',
    'parsely-author',
    'citation_author',
  ],
  itemprop: ['author', 'creator'],
  classWords: ['author', 'authors', 'byline', 'writer', 'creator', 'contributor', 'autor', 'auteur', 'autore', 'verfasser'],
  type: 'text',
  kind: 'person',
  multiple: true,
};

const CONCEPTS: Record<string, Concept> = {
  title: {
    labels: ['title', 'name', 'product name', 'book title', 'item name', 'product title', 'headline'],
    jsonld: ['name', 'headline', 'title'],
    // Dublin Core is the document's bibliographic record; sharing metadata is often tuned for feeds.
    meta: ['dc:title', 'dc.title', 'dcterms.title', 'og:title', 'twitter:title', 'parsely-title'],
    itemprop: ['name', 'headline'],
    classWords: ['title', 'name', 'headline', 'heading'],
    type: 'text',
    kind: 'title',
    heading: true,
  },
  job_title: {
    labels: ['job title', 'position', 'role', 'title', 'job'],
    jsonld: ['title', 'name'],
    meta: ['og:title'],
    itemprop: ['title'],
    classWords: ['title', 'position', 'role'],
    type: 'text',
    kind: 'title',
    heading: true,
  },
  author: AUTHOR,
  // The credit line as the page states it ("By Jane Doe", "Written by A Edited by B"): the same
  // evidence as the author, but a visible line is kept whole (kind byline, not person), and it is
  // one line, not a list of names.
  byline: { ...AUTHOR, kind: 'byline', multiple: false },
  isbn_13: {
    labels: ['isbn 13', 'isbn13', 'ean 13', 'ean', 'isbn', 'gtin 13'],
    jsonld: ['isbn', 'gtin13', 'workExample.isbn'],
    meta: ['books:isbn', 'book:isbn', 'isbn'],
    itemprop: ['isbn', 'gtin13'],
    classWords: ['isbn', 'isbn13', 'ean'],
    type: 'isbn',
    kind: 'isbn13',
  },
  isbn_10: {
    labels: ['isbn 10', 'isbn10', 'isbn'],
    jsonld: ['isbn'],
    itemprop: ['isbn'],
    classWords: ['isbn', 'isbn10'],
    type: 'isbn',
    kind: 'isbn10',
  },
  isbn: {
    labels: ['isbn', 'isbn 13', 'isbn 10', 'isbn13', 'isbn10'],
    jsonld: ['isbn'],
    meta: ['books:isbn', 'book:isbn'],
    itemprop: ['isbn'],
    classWords: ['isbn'],
    type: 'isbn',
    kind: 'isbn',
  },
  gtin: {
    labels: [
      'gtin',
      'ean',
      'upc',
      'barcode',
      'gtin 13',
      'gtin13',
      'ean 13',
      'ean13',
      'ean code',
      'code ean',
      'upc code',
      'strichcode',
      'código de barras',
    ],
    jsonld: ['gtin13', 'gtin', 'gtin12', 'gtin14', 'gtin8'],
    itemprop: ['gtin13', 'gtin', 'gtin12'],
    classWords: ['gtin', 'ean', 'upc', 'barcode'],
    type: 'gtin',
    kind: 'gtin',
  },
  publisher: {
    labels: [
      'publisher',
      'published by',
      'publishers',
      'imprint',
      'publishing house',
      'publisher name',
      'verlag',
      'éditeur',
      'editeur',
      'éditions',
      'editorial',
      'editora',
      'editore',
      'casa editrice',
      'uitgever',
      'uitgeverij',
      'wydawnictwo',
      'wydawca',
      'förlag',
      'forlag',
      'nakladatel',
    ],
    weakLabels: ['vendor', 'label', 'brand', 'manufacturer', 'producer', 'studio'],
    jsonld: ['publisher.name', 'publisher'],
    meta: ['book:publisher', 'dc.publisher', 'citation_publisher'],
    itemprop: ['publisher'],
    classWords: ['publisher', 'imprint'],
    type: 'text',
    kind: 'organization',
  },
  publication_date: {
    labels: [
      'publication date',
      'pub date',
      'published',
      'publish date',
      'date published',
      'published date',
      'release date',
      'publication year',
      'pub year',
      'first published',
      'published on',
      'publication',
      'date of publication',
      'on sale date',
      'on sale',
      'released',
      'erscheinungsdatum',
      'erscheinungstermin',
      'date de parution',
      'parution',
      'date de publication',
      'fecha de publicación',
      'data di pubblicazione',
      'data de publicação',
      'verschijningsdatum',
      'data wydania',
      'posted on',
      'veröffentlicht am',
      'erschienen am',
      'publié le',
      'publiée le',
      'mis en ligne le',
      'publicado el',
      'publicada el',
      'pubblicato il',
      'gepubliceerd op',
      'opublikowano',
      'publicerad',
      'publiceret',
      'publisert',
      'julkaistu',
    ],
    weakLabels: ['date', 'year', 'copyright', 'edition date'],
    jsonld: ['datePublished', 'copyrightYear', 'releaseDate'],
    meta: [
      'book:release_date',
      'article:published_time',
      'og:article:published_time',
      'parsely-pub-date',
      'citation_publication_date',
      'dc.date.issued',
      'dcterms.issued',
      'dc.date',
      'date',
    ],
    itemprop: ['datePublished', 'copyrightYear'],
    // "datum", "fecha": the word for date in the page's language names its classes too.
    classWords: ['pubdate', 'published', 'publication', 'release', 'date', 'datum', 'data', 'fecha'],
    type: 'date',
    kind: 'date',
  },
  date_posted: {
    labels: ['date posted', 'posted', 'posted on', 'posting date', 'published', 'listed', 'date'],
    jsonld: ['datePosted', 'datePublished'],
    meta: ['article:published_time'],
    itemprop: ['datePosted', 'datePublished'],
    classWords: ['posted', 'date', 'published'],
    type: 'date',
    kind: 'date',
  },
  price: {
    labels: [
      'price',
      'our price',
      'sale price',
      'your price',
      'now',
      'list price',
      'retail price',
      'cost',
      'amount',
      ...PRICE_WORDS,
      'preço',
      'preț',
      'цена',
      '価格',
      '价格',
      '가격',
    ],
    jsonld: ['offers.price', 'price', 'offers.lowPrice', 'offers.priceSpecification.price'],
    meta: ['product:price:amount', 'og:price:amount'],
    itemprop: ['price'],
    // The word for price in the shop's language names its classes too, written without accents.
    classWords: ['price', 'cost', 'amount', ...PRICE_WORDS, 'preco', 'pret'],
    type: 'money',
    kind: 'money',
  },
  currency: {
    labels: ['currency'],
    jsonld: ['offers.priceCurrency', 'priceCurrency', 'offers.priceSpecification.priceCurrency'],
    meta: ['product:price:currency', 'og:price:currency'],
    itemprop: ['priceCurrency'],
    classWords: ['currency'],
    type: 'text',
    kind: 'shortText',
  },
  brand: {
    labels: [
      'brand',
      'manufacturer',
      'make',
      'maker',
      'by',
      'brand name',
      'marke',
      'hersteller',
      'marque',
      'fabricant',
      'marca',
      'fabricante',
      'merk',
      'fabrikant',
      'märke',
      'tillverkare',
      'mærke',
      'producent',
      'marka',
      'značka',
      'výrobce',
      'proizvođač',
      'márka',
      'gyártó',
      'valmistaja',
      'merkki',
      'producător',
      'бренд',
      'производитель',
      'ブランド',
      'メーカー',
      '品牌',
      '브랜드',
    ],
    weakLabels: ['vendor', 'label'],
    jsonld: ['brand.name', 'brand', 'manufacturer.name'],
    meta: ['product:brand', 'og:brand'],
    itemprop: ['brand', 'manufacturer'],
    classWords: ['brand', 'manufacturer', 'maker', 'vendor'],
    type: 'text',
    kind: 'organization',
  },
  sku: {
    labels: [
      'sku',
      'item number',
      'item no',
      'product code',
      'article number',
      'product number',
      'item code',
      'art no',
      'article no',
      'reference',
      'ref',
      'product id',
      'item id',
      'model',
      'model number',
      'part number',
      'stock no',
      'item',
      'artikelnummer',
      'art nr',
      'référence',
      'réf',
      'codice',
      'codice articolo',
      'código',
      'referencia',
      'referência',
      'šifra',
      'kód',
      'cod produs',
      'код',
      'tuotenumero',
      'kod produktu',
      'kod',
      'cód',
      'cod',
      'varenummer',
      'varenr',
      'ürün kodu',
      'stok kodu',
      '商品番号',
      '商品コード',
      '品番',
      'code',
    ],
    jsonld: ['sku', 'mpn', 'productID'],
    meta: ['product:retailer_item_id'],
    itemprop: ['sku', 'mpn', 'productID'],
    classWords: ['sku', 'code', 'model'],
    type: 'identifier',
    kind: 'identifier',
  },
  company: {
    labels: ['company', 'employer', 'organization', 'organisation', 'hiring company', 'hiring organization', 'company name'],
    jsonld: ['hiringOrganization.name', 'hiringOrganization'],
    itemprop: ['hiringOrganization'],
    classWords: ['company', 'employer', 'organization', 'org'],
    type: 'text',
    kind: 'organization',
  },
  location: {
    labels: ['location', 'job location', 'city', 'place', 'where', 'address', 'based in', 'office'],
    jsonld: ['jobLocation.address.addressLocality', 'jobLocation.name', 'address.addressLocality', 'location.name'],
    itemprop: ['jobLocation', 'addressLocality'],
    classWords: ['location', 'city', 'place', 'locality', 'address'],
    type: 'text',
    kind: 'shortText',
  },
  salary: {
    labels: ['salary', 'pay', 'compensation', 'wage', 'salary range', 'base salary', 'remuneration'],
    jsonld: ['baseSalary.value.value', 'baseSalary.value.minValue', 'estimatedSalary'],
    itemprop: ['baseSalary'],
    classWords: ['salary', 'pay', 'compensation', 'wage'],
    type: 'money',
    kind: 'money',
  },
  employment_type: {
    labels: ['employment type', 'job type', 'contract type', 'type', 'contract', 'hours', 'schedule'],
    jsonld: ['employmentType'],
    itemprop: ['employmentType'],
    classWords: ['type', 'employment', 'contract'],
    type: 'text',
    kind: 'shortText',
  },
  description: {
    labels: ['description', 'summary', 'overview', 'about', 'details', 'product description'],
    jsonld: ['description'],
    meta: ['og:description', 'description', 'twitter:description'],
    itemprop: ['description'],
    classWords: ['description', 'summary', 'overview', 'desc'],
    type: 'text',
    kind: 'longText',
  },
  image: {
    labels: ['image', 'photo', 'picture', 'cover'],
    jsonld: ['image.url', 'image', 'thumbnailUrl'],
    meta: ['og:image', 'twitter:image'],
    itemprop: ['image'],
    classWords: ['image', 'photo', 'picture', 'cover', 'thumbnail', 'img'],
    type: 'image',
    kind: 'image',
  },
  url: {
    labels: ['url', 'link', 'permalink'],
    jsonld: ['url', '@id'],
    meta: ['og:url'],
    itemprop: ['url'],
    classWords: ['url', 'link', 'permalink'],
    type: 'url',
    kind: 'url',
  },
  rating: {
    labels: ['rating', 'average rating', 'stars', 'score'],
    jsonld: ['aggregateRating.ratingValue'],
    itemprop: ['ratingValue'],
    classWords: ['rating', 'stars', 'score'],
    type: 'number',
    kind: 'number',
  },
  pages: {
    labels: ['pages', 'number of pages', 'page count', 'print length', 'length', 'num pages'],
    jsonld: ['numberOfPages'],
    itemprop: ['numberOfPages'],
    classWords: ['pages', 'pagecount'],
    type: 'number',
    kind: 'number',
  },
  format: {
    labels: ['format', 'binding', 'book format', 'cover', 'edition'],
    jsonld: ['bookFormat'],
    itemprop: ['bookFormat'],
    classWords: ['format', 'binding'],
    type: 'text',
    kind: 'shortText',
  },
  category: {
    labels: ['category', 'categories', 'genre', 'department', 'section', 'subject'],
    jsonld: ['category', 'genre', 'articleSection'],
    meta: ['article:section'],
    itemprop: ['category', 'genre'],
    classWords: ['category', 'genre', 'breadcrumb'],
    type: 'text',
    kind: 'shortText',
  },
  availability: {
    labels: [
      'availability',
      'in stock',
      'stock',
      'stock status',
      'status',
      'verfügbarkeit',
      'disponibilité',
      'disponibilità',
      'disponibilidad',
      'disponibilidade',
      'dostupnost',
      'dostupnosť',
    ],
    jsonld: ['offers.availability', 'availability'],
    meta: ['product:availability', 'og:availability'],
    itemprop: ['availability'],
    classWords: ['availability', 'stock', 'instock', 'outofstock'],
    type: 'availability',
    kind: 'availability',
  },
  language: {
    labels: ['language', 'languages', 'lang'],
    jsonld: ['inLanguage'],
    itemprop: ['inLanguage'],
    classWords: ['language'],
    type: 'text',
    kind: 'shortText',
  },
};

/** Alternative spellings of concept names users type. */
const ALIASES: Record<string, string> = {
  name: 'title',
  product_name: 'title',
  headline: 'title',
  book_title: 'title',
  product_title: 'title',
  authors: 'author',
  writer: 'author',
  creator: 'author',
  isbn13: 'isbn_13',
  ean: 'gtin',
  upc: 'gtin',
  ean13: 'gtin',
  isbn10: 'isbn_10',
  pub_date: 'publication_date',
  published: 'publication_date',
  date_published: 'publication_date',
  publish_date: 'publication_date',
  release_date: 'publication_date',
  published_date: 'publication_date',
  date: 'publication_date',
  posted: 'date_posted',
  posted_date: 'date_posted',
  date_posted: 'date_posted',
  posted_at: 'date_posted',
  cost: 'price',
  sale_price: 'price',
  amount: 'price',
  manufacturer: 'brand',
  employer: 'company',
  company_name: 'company',
  organization: 'company',
  hiring_organization: 'company',
  city: 'location',
  job_location: 'location',
  pay: 'salary',
  compensation: 'salary',
  job_type: 'employment_type',
  contract_type: 'employment_type',
  summary: 'description',
  photo: 'image',
  picture: 'image',
  thumbnail: 'image',
  image_url: 'image',
  cover: 'image',
  link: 'url',
  permalink: 'url',
  number_of_pages: 'pages',
  page_count: 'pages',
  binding: 'format',
  genre: 'category',
  categories: 'category',
  stock: 'availability',
  model: 'sku',
  mpn: 'sku',
  position: 'job_title',
  role: 'job_title',
};

export interface FieldProfile {
  name: string;
  /** The concept the name was understood as, or null for names only known by their words. */
  concept: string | null;
  words: string[];
  labels: string[];
  weakLabels: string[];
  jsonld: string[];
  meta: string[];
  itemprop: string[];
  classWords: string[];
  type: FieldType;
  kind: ValueKind;
  multiple: boolean;
  heading: boolean;
}

const TYPE_BY_WORD: [RegExp, FieldType, ValueKind][] = [
  [/^(date|time|published|posted|updated|released|created|modified|year)$/, 'date', 'date'],
  [/^(price|cost|salary|amount|fee|pay|msrp)$/, 'money', 'money'],
  [/^(url|link|href|website|permalink)$/, 'url', 'url'],
  [/^(image|img|photo|picture|thumbnail|logo|cover|icon)$/, 'image', 'image'],
  [/^(count|number|qty|quantity|pages|rating|score|weight|size|reviews|stars)$/, 'number', 'number'],
  [/^(html|body|content)$/, 'html', 'longText'],
];

export function camelWords(path: string): string {
  return path.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/** What the generator knows about a field: from its concept when recognised, else from its words. */
export function profileField(name: string, description?: string): FieldProfile {
  const words = nameWords(name);
  const key = words.join('_');
  const conceptName = CONCEPTS[key] ? key : (ALIASES[key] ?? null);
  const concept = conceptName ? CONCEPTS[conceptName] : undefined;
  const phrase = words.join(' ');
  const extra = description ? [normalizeLabel(description)] : [];
  if (concept && conceptName) {
    return {
      name,
      concept: conceptName,
      words,
      labels: [...new Set([phrase, ...concept.labels.map(normalizeLabel)])],
      weakLabels: [...(concept.weakLabels ?? []).map(normalizeLabel), ...extra],
      jsonld: concept.jsonld ?? [],
      meta: concept.meta ?? [],
      itemprop: concept.itemprop ?? [],
      classWords: [...new Set([...(concept.classWords ?? []), ...words.filter((w) => w.length > 2 && !NEUTRAL_WORDS.has(w))])],
      type: concept.type,
      kind: concept.kind,
      multiple: concept.multiple ?? false,
      heading: concept.heading ?? false,
    };
  }
  const typed = TYPE_BY_WORD.find(([pattern]) => words.some((word) => pattern.test(word)));
  const camel = words.map((word, i) => (i === 0 ? word : word[0]!.toUpperCase() + word.slice(1))).join('');
  return {
    name,
    concept: null,
    words,
    labels: [phrase, ...extra],
    weakLabels: words.length > 1 ? words.filter((w) => w.length > 3) : [],
    jsonld: [camel],
    meta: [phrase.replace(/ /g, '_'), `og:${camel}`],
    itemprop: [camel],
    classWords: words.filter((w) => w.length > 2 && !NEUTRAL_WORDS.has(w)),
    type: typed?.[1] ?? 'text',
    kind: typed?.[2] ?? 'shortText',
    multiple: words.length > 0 && /[^s]s$/.test(words[words.length - 1]!) && !typed,
    heading: false,
  };
}

/** How well a page label names the field: 1 for a strong synonym, lower for weak or partial matches. */
export function labelMatch(profile: FieldProfile, label: string): number {
  if (!label) return 0;
  const strong = profile.labels.indexOf(label);
  if (strong >= 0) return 1 - Math.min(strong, 10) * 0.02;
  if (profile.weakLabels.includes(label)) return 0.55;
  const words = label.split(' ');
  if (words.length > 4) return 0;
  const overlap = words.filter((word) => profile.words.includes(word)).length;
  if (!overlap) return 0;
  return 0.4 * (overlap / Math.max(words.length, profile.words.length));
}

/** How well a JSON-LD key path names the field (exact concept paths first, then word overlap). */
export function pathMatch(profile: FieldProfile, path: string): number {
  const exact = profile.jsonld.indexOf(path);
  if (exact >= 0) return 1 - exact * 0.05;
  const words = camelWords(path)
    .split(/[^a-z\d]+/)
    .filter(Boolean);
  const overlap = words.filter((word) => profile.words.includes(word) || profile.classWords.includes(word)).length;
  return overlap ? 0.3 * (overlap / words.length) : 0;
}

/** Words that qualify a class name without saying what it holds ("product-title", "job-view"). */
const NEUTRAL_WORDS = new Set([
  'product',
  'prod',
  'item',
  'book',
  'job',
  'page',
  'main',
  'detail',
  'details',
  'info',
  'data',
  'field',
  'value',
  'text',
  'content',
  'primary',
  'pdp',
  'card',
  'entry',
  'post',
  'listing',
  'result',
  'name',
  'current',
  'display',
  'label',
  'top',
  'the',
  'of',
  'js',
  'el',
  'wrap',
  'wrapper',
  'container',
  'block',
  'box',
  'section',
  'area',
  'module',
  'view',
]);

/**
 * A class name without the hash a CSS-modules build appends to it ("price___2QlEj",
 * "title--x7Kq2"): the author's name is the part before. BEM element names ("card__price",
 * "card__imageUrl") are words, not hashes, and stay.
 */
export function withoutModuleHash(token: string): string {
  const match = /^(.+?)(?:_{2,3}|--)([A-Za-z0-9]{4,8})$/.exec(token);
  if (!match) return token;
  const suffix = match[2]!;
  const hashed = /\d/.test(suffix) || (/[A-Z]/.test(suffix) && !/^[a-z]+(?:[A-Z][a-z]+)*$/.test(suffix));
  return hashed ? match[1]! : token;
}

/** Qualifiers written together with a field word in old templates ("prodtitle", "itemprice", "bookauthor"). */
const COMPOUND_PREFIXES = ['product', 'prod', 'item', 'book', 'main', 'detail', 'pdp', 'entry', 'post'];

/** A class word run together with a qualifier before it, as two words; any other word as it is. */
function compoundWords(profile: FieldProfile, word: string): string[] {
  if (profile.classWords.includes(word) || NEUTRAL_WORDS.has(word)) return [word];
  const prefix = COMPOUND_PREFIXES.find((start) => word.startsWith(start) && profile.classWords.includes(word.slice(start.length)));
  return prefix ? [prefix, word.slice(prefix.length)] : [word];
}

/**
 * How well a class or id names the field: the share of its meaningful words that are field
 * words ("product-author" → 1 for author; "job-view" → 0 for job_title).
 */
export function tokenMatch(profile: FieldProfile, token: string): number {
  const words = nameWords(withoutModuleHash(token)).flatMap((word) => compoundWords(profile, word));
  let matched = 0;
  let counted = 0;
  let exact = false;
  for (const word of words) {
    if (profile.classWords.includes(word)) {
      matched++;
      counted++;
      if (profile.words.includes(word)) exact = true;
    } else if (!NEUTRAL_WORDS.has(word)) {
      counted++;
    }
  }
  if (!matched) return 0;
  // The last word is the head of an English compound: "btAsinTitle" is a title of some kind.
  const last = words[words.length - 1]!;
  const head = profile.classWords.includes(last) ? 0.85 : 0;
  return Math.max(head, (matched / counted) * (exact ? 1 : 0.85));
}
