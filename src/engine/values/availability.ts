/**
 * Availability as schema.org ItemAvailability tokens, from what pages say: structured data
 * (`http://schema.org/InStock`, `InStock`, `in_stock`), stock texts in several languages, and
 * the call to action a shop shows only when it sells the item ("Add to cart").
 */
export const AVAILABILITY = [
  'InStock',
  'OutOfStock',
  'PreOrder',
  'BackOrder',
  'LimitedAvailability',
  'InStoreOnly',
  'OnlineOnly',
  'SoldOut',
  'Discontinued',
  'PreSale',
] as const;
export type Availability = (typeof AVAILABILITY)[number];

const BY_TOKEN = new Map(AVAILABILITY.map((token) => [token.toLowerCase(), token]));

/**
 * Texts in page order of precedence: negated and specific phrases come before the general ones
 * they contain ("not sold" before "sold", "out of stock" before "in stock", "pre-order" before
 * "order"). Each pattern is tested on lower-cased text with collapsed white space.
 */
const PHRASES: [RegExp, Availability][] = [
  // Negations first: "not sold" (a classified ad still on offer), "not in stock".
  [/\bnot\s+sold\b|\bnicht\s+verkauft\b|\bnon\s+vendu/, 'InStock'],
  [
    /\bnot\s+(?:in\s+stock|available)\b|\bno\s+(?:longer\s+)?(?:in\s+stock|available)\b|\bcurrently\s+unavailable\b|\bunavailable\b/,
    'OutOfStock',
  ],
  // None left, or only promised back: "0 in stock", "Back in stock soon", "Coming soon".
  [
    /(?:^|[^\d.,])0\s+(?:items?\s+|pcs\.?\s+|units?\s+)?(?:in\s+stock|available|left)\b|\bback\s+(?:in\s+stock\s+)?soon\b|\bcoming\s+soon\b|\bbient[ôo]t\s+(?:de\s+retour|disponible)|\bdemn[äa]chst\s+(?:wieder\s+)?(?:verf[üu]gbar|lieferbar)/,
    'OutOfStock',
  ],
  [/\bdiscontinued\b|\bno\s+longer\s+(?:sold|produced|made)\b|\bausgelaufen\b|\bfuori\s+produzione\b|\bdescatalogado\b/, 'Discontinued'],
  [/\bpre-?\s?order|\bvorbestell|\bpr[ée]-?\s?commande|\bpreordina|\bprenota|\breserva\b|\bpr[ée]-?venda|\bpreventa\b/, 'PreOrder'],
  [/\bback-?\s?order/, 'BackOrder'],
  [
    /\bout\s+of\s+stock\b|\bsold\s*out\b|\bnicht\s+(?:lieferbar|verf[üu]gbar|auf\s+lager)|\bausverkauft|[ée]puis[ée]|\brupture\s+de\s+stock|\bindisponible|\besaurit[oa]\b|\bnon\s+disponibile|\bagotad[oa]\b|\bsin\s+(?:stock|existencias)\b|\besgotad[oa]\b|\bindispon[íi]vel|\buitverkocht|\bniet\s+(?:leverbaar|op\s+voorraad)|\bslut(?:s[åa]ld)?\b|\bloppuunmyyty|\bnedostupn|\bnije\s+dostupn|\bni\s+na\s+zalogi|\bnu\s+este\s+[îi]n\s+stoc|\bstoc\s+epuizat|\bniedost[ęe]pn|\bbrak\s+w\s+magazynie|\bnincs\s+k[ée]szleten|\bikke\s+p[åa]\s+lager|\binte\s+i\s+lager|\bei\s+varastossa|\bvyprod[áa]n|\bstokta\s+yok|\bt[üu]kendi|\bnen[ií]\s+skladem|\bnie\s+je\s+(?:na\s+sklade|skladom)|нет\s+в\s+наличии|распродан|غير\s+متوفر|نفذت|缺貨|缺货|无货|無貨|售完|売り切れ|在庫切れ|在庫なし|在庫無し|品切れ|품절|재고\s*없음/,
    'OutOfStock',
  ],
  [/\bnotify\s+me\b|\bemail\s+me\s+when\b|\bbenachrichtig|\bpr[ée]venez-moi|\bavvisami|\bav[íi]same\b/, 'OutOfStock'],
  [
    /\bonly\s+\d+\s+(?:left|in\s+stock)|\blimited\s+(?:stock|availability)|\blow\s+stock\b|\bnur\s+noch\s+\d+|\bplus\s+que\s+\d+|\bsolo\s+\d+\s+disponibil|\bultim[ie]\s+\d+\s+pezz/,
    'LimitedAvailability',
  ],
  [/\bin\s+store\s+only\b|\bonly\s+in\s+stores?\b|\bnur\s+im\s+(?:laden|markt)/, 'InStoreOnly'],
  [/\bonline\s+only\b|\bonly\s+online\b/, 'OnlineOnly'],
  [
    /\bin\s+stock\b|\bavailable\b|\bauf\s+lager\b|\blieferbar\b|\bverf[üu]gbar\b|\bsofort\s+versandbereit|\ben\s+stock\b|\bdisponible\b|\bdisponibil[ei]\b|\bin\s+magazzino\b|\bdisponibilit[àa]\s+immediata|\ben\s+existencia|\bem\s+estoque\b|\bdispon[íi]vel\b|\bop\s+voorraad\b|\bleverbaar\b|\bp[åa]\s+lager\b|\bi\s+lager\b|\blagernd\b|\bna\s+stanie\b|\bstokta\b|\bvarastossa\b|\bna\s+zalogi\b|\bna\s+sklad(?:e|u|om)\b|\bskladem\b|\bdostupn[oa]\b|\b[îi]n\s+stoc\b|\bdost[ęe]pn|\bw\s+magazynie\b|\bk[ée]szleten\b|в\s+наличии|متوفر|有貨|有货|現貨|在庫あり|재고\s*있음/,
    'InStock',
  ],
  // A dispatch time is promised only for what is there to send ("Usually ships in 24 hours").
  [
    /\bships?\s+(?:in|within|today|tomorrow|next\s+(?:business\s+|working\s+)?day)\b|\bready\s+to\s+ship\b|\bdispatch(?:ed|es)?\s+(?:in|within|today|tomorrow|same\s+day)\b|\bversandfertig\b|\bversand\s+(?:in|innerhalb)\s+\d|\bexp[ée]di[ée]e?s?\s+(?:sous|en|dans)\s+\d|\bexp[ée]dition\s+(?:sous|en|dans)\s+\d|\bspedizione\s+(?:in|entro)\s+\d|\bspedit[oa]\s+entro\b|\bse\s+env[íi]a\s+en\b|\benv[íi]o\s+en\s+\d|\benviado\s+em\s+\d|\bmorgen\s+in\s+huis\b/,
    'InStock',
  ],
  // Calls to action shown only when the item can be bought.
  [
    /\badd\s+to\s+(?:cart|basket|bag|trolley)\b|\bbuy\s+(?:it\s+)?now\b|\bin\s+den\s+(?:warenkorb|einkaufswagen)|\bajouter\s+au\s+panier|\baggiungi\s+al\s+carrello|\ba[ñn]adir\s+(?:a|al)\s+(?:la\s+)?(?:cesta|carrito)|\bagregar\s+al\s+carro|\badicionar\s+ao\s+carrinho|\bcomprar\s+(?:ahora|agora|ya)\b|\bin\s+(?:winkelwagen|winkelmand)|\bl[äa]gg\s+i\s+varukorg|\blis[äa][äa]\s+ostoskoriin|\bdodaj\s+(?:v\s+ko[šs]aric|do\s+ko[šs]arice|do\s+koszyka)|\bdo\s+ko[šs][ií]ka\b|\bvlo[žz]i[tť]\s+do\s+ko[šs]|\badaug[ăa]\s+[îi]n\s+co[șş]|\bkos[áa]rba\b|в\s+корзину|أضف\s+إلى\s+(?:السلة|الحقيبة)|加入購物車|加入购物车|カートに入れる|장바구니\s*담기/,
    'InStock',
  ],
];

/** The availability a text, structured-data value or button label states, or null when it states none. */
export function parseAvailability(text: string): Availability | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  // schema.org URL or bare token, in any case and with or without the vocabulary prefix.
  const token = /^(?:https?:\/\/)?(?:www\.)?(?:schema\.org\/)?([A-Za-z]+)$/.exec(trimmed)?.[1];
  const known = token ? BY_TOKEN.get(token.toLowerCase()) : undefined;
  if (known) return known;
  // "in_stock", "out-of-stock", "OUT_OF_STOCK": machine spellings in embedded state.
  const spaced = trimmed
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/\s+/g, ' ');
  if (spaced.length > 200) return null;
  for (const [pattern, availability] of PHRASES) if (pattern.test(spaced)) return availability;
  return null;
}

/** State keys holding a stock flag: what `true` says ("inStock", "isAvailable") or denies ("soldOut", "isOutOfStock"). */
const IN_STOCK_FLAG = /^(?:is_?|has_?)?(?:in_?stock|available|purchasable|orderable|buyable|sellable|stock)$/i;
const OUT_OF_STOCK_FLAG = /^(?:is_?)?(?:sold_?out|out_?of_?stock|unavailable)$/i;

/** Whether a page-state key holds a stock flag, whose true or false `flagAvailability` reads. */
export const isStockFlag = (key: string) => IN_STOCK_FLAG.test(key) || OUT_OF_STOCK_FLAG.test(key);

/** The availability a stock flag in page state states ("inStock": false → OutOfStock), or null. */
export function flagAvailability(key: string, value: string): Availability | null {
  const flag = /^(?:true|1)$/i.test(value) ? true : /^(?:false|0)$/i.test(value) ? false : null;
  if (flag === null) return null;
  if (OUT_OF_STOCK_FLAG.test(key)) return flag ? 'OutOfStock' : 'InStock';
  if (IN_STOCK_FLAG.test(key)) return flag ? 'InStock' : 'OutOfStock';
  return null;
}

const SELLABLE = new Set<Availability>(['InStock', 'LimitedAvailability', 'InStoreOnly', 'OnlineOnly', 'PreOrder', 'PreSale', 'BackOrder']);

/**
 * One availability for an item from the availabilities of its offers (sizes, colours, sellers):
 * it can be bought when any offer can, in stock when any offer is.
 */
export function combineAvailability(values: Availability[]): Availability | null {
  if (!values.length) return null;
  if (values.includes('InStock')) return 'InStock';
  return values.find((value) => SELLABLE.has(value)) ?? values[0]!;
}
