/**
 * Names for page types that a person would use ("product", "category", "article", "search",
 * "home") with a label to show, from what the pages are: their schema.org type first, then
 * their kind, then words of their URL. Nothing here knows a site.
 */
export type PageKind = 'detail' | 'listing' | 'article' | 'home' | 'search' | 'other';

export interface PageTypeNaming {
  name: string;
  label: string;
}

/** schema.org types (and their common subtypes) → the everyday name of such a page. */
const NAME_BY_TYPE: Record<string, string> = {
  Product: 'product',
  ProductGroup: 'product',
  ProductModel: 'product',
  IndividualProduct: 'product',
  SomeProducts: 'product',
  Vehicle: 'product',
  Car: 'product',
  Book: 'book',
  Movie: 'movie',
  MusicAlbum: 'album',
  MusicRecording: 'track',
  Game: 'game',
  VideoGame: 'game',
  SoftwareApplication: 'app',
  MobileApplication: 'app',
  WebApplication: 'app',
  Article: 'article',
  NewsArticle: 'article',
  BlogPosting: 'article',
  Report: 'article',
  TechArticle: 'article',
  ScholarlyArticle: 'article',
  OpinionNewsArticle: 'article',
  ReportageNewsArticle: 'article',
  AnalysisNewsArticle: 'article',
  LiveBlogPosting: 'article',
  SocialMediaPosting: 'post',
  DiscussionForumPosting: 'post',
  Question: 'question',
  QAPage: 'question',
  FAQPage: 'faq',
  Recipe: 'recipe',
  JobPosting: 'job',
  Event: 'event',
  Course: 'course',
  VideoObject: 'video',
  Episode: 'episode',
  TVSeries: 'series',
  Person: 'profile',
  ProfilePage: 'profile',
  LocalBusiness: 'place',
  Restaurant: 'place',
  Store: 'place',
  Place: 'place',
  Hotel: 'hotel',
  LodgingBusiness: 'hotel',
  RealEstateListing: 'property',
  Residence: 'property',
  Apartment: 'property',
  House: 'property',
  Review: 'review',
  Dataset: 'dataset',
  Organization: 'organization',
};

/** schema.org types of articles: news, blog posts, reports. */
export const ARTICLE_TYPES: ReadonlySet<string> = new Set(Object.keys(NAME_BY_TYPE).filter((type) => NAME_BY_TYPE[type] === 'article'));
/** schema.org types of things for sale. */
export const PRODUCT_TYPES: ReadonlySet<string> = new Set(Object.keys(NAME_BY_TYPE).filter((type) => NAME_BY_TYPE[type] === 'product'));

/** Words of URL paths that say what kind of page lies below them. */
const NAME_BY_URL_WORD: Array<[RegExp, string]> = [
  [/^(?:products?|p|pd|dp|items?|produkt|produit|producto|prodotto|artikel|sku|gp)$/, 'product'],
  [/^(?:books?|isbn)$/, 'book'],
  [/^(?:blog|news|articles?|posts?|story|stories|magazine|journal|press|nachrichten|actualites|noticias)$/, 'article'],
  [/^(?:categor(?:y|ies)|c|cat|collections?|shop|department|dept|browse|catalog(?:ue)?|kategorie|categorie|categoria)$/, 'category'],
  [/^(?:search|find|results|suche|recherche|buscar)$/, 'search'],
  [/^(?:jobs?|careers?|positions?|vacanc(?:y|ies))$/, 'job'],
  [/^(?:tags?|topics?|themes?)$/, 'tag'],
  [/^(?:authors?|users?|profiles?|people|members?)$/, 'profile'],
  [/^(?:events?)$/, 'event'],
  [/^(?:recipes?)$/, 'recipe'],
  [/^(?:brands?|manufacturers?)$/, 'brand'],
];

const NAME_BY_KIND: Record<PageKind, string> = {
  home: 'home',
  search: 'search',
  listing: 'category',
  article: 'article',
  detail: 'item',
  other: 'page',
};

/** What each name is called on screen. */
const LABELS: Record<string, string> = {
  home: 'Home page',
  search: 'Search results',
  category: 'Category listing',
  article: 'Article',
  product: 'Product page',
  book: 'Book page',
  item: 'Item page',
  page: 'Other page',
  post: 'Post',
  question: 'Question',
  faq: 'FAQ page',
  recipe: 'Recipe',
  job: 'Job posting',
  event: 'Event',
  course: 'Course',
  video: 'Video',
  episode: 'Episode',
  series: 'Series',
  profile: 'Profile',
  place: 'Place',
  hotel: 'Hotel',
  property: 'Property listing',
  review: 'Review',
  dataset: 'Dataset',
  organization: 'Organization',
  movie: 'Movie',
  album: 'Album',
  track: 'Track',
  game: 'Game',
  app: 'App',
  tag: 'Tag listing',
  brand: 'Brand listing',
};

/** The URL path's literal words, from the first segment on ("/en/product/123" → en, product). */
function urlWords(urlPattern: string): string[] {
  return urlPattern
    .split('/')
    .filter((segment) => segment && !segment.startsWith(':') && segment !== '*')
    .map((segment) => segment.toLowerCase().replace(/\.[a-z]{2,5}$/, ''));
}

function nameFromUrl(urlPattern: string): string | undefined {
  for (const word of urlWords(urlPattern)) {
    const found = NAME_BY_URL_WORD.find(([pattern]) => pattern.test(word));
    if (found) return found[1];
  }
  return undefined;
}

/** A schema.org type's name when it is not one we know: "MedicalWebPage" → "medical web page". */
const words = (type: string) => type.replace(/([a-z\d])([A-Z])/g, '$1 $2').toLowerCase();

/**
 * Name and label of a page type. Home and search pages are named by kind whatever they declare;
 * listings are categories unless their URL says tag, brand or search; detail pages and articles
 * by their schema.org type, else by their URL's words, else by kind.
 */
export function namePageType(kind: PageKind, dataType: string | undefined, urlPattern: string): PageTypeNaming {
  const fromUrl = nameFromUrl(urlPattern);
  let name: string;
  if (kind === 'home' || kind === 'search') name = kind;
  else if (kind === 'listing') name = fromUrl === 'search' || fromUrl === 'tag' || fromUrl === 'brand' ? fromUrl : 'category';
  else if (dataType && NAME_BY_TYPE[dataType]) name = NAME_BY_TYPE[dataType];
  else if (dataType) name = words(dataType).replace(/ /g, '_');
  else if (kind === 'article') name = 'article';
  else if (fromUrl && !['category', 'search', 'tag', 'brand'].includes(fromUrl)) name = fromUrl;
  else name = NAME_BY_KIND[kind];
  return { name, label: LABELS[name] ?? labelOfName(dataType ? words(dataType) : name) };
}

/** A label for any name: the known one, else its words capitalised ("gift_card" → "Gift card page"). */
export function labelOfName(name: string): string {
  const known = LABELS[name];
  if (known) return known;
  const phrase = name.replace(/[_-]+/g, ' ').trim();
  return `${phrase.charAt(0).toUpperCase()}${phrase.slice(1)} page`;
}

/** A name not yet taken in this site: "product", then "product_2" for a second product template. */
export function uniqueName(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
}
