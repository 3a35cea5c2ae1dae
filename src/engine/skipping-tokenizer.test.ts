import { Parser, type Handler } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import { skippingTokenizer, withSkippingTokenizer } from './skipping-tokenizer.js';

/** Every event a parser reports, with the positions it reports them at. */
function events(html: string, options: { skipping: boolean; chunk?: number }): unknown[] {
  const log: unknown[] = [];
  const record =
    (name: string) =>
    (...args: unknown[]) =>
      log.push([name, parser.startIndex, parser.endIndex, ...args]);
  const handler: Partial<Handler> = Object.fromEntries(
    ['onopentag', 'onclosetag', 'ontext', 'oncomment', 'oncdatastart', 'onprocessinginstruction', 'onattribute', 'onend'].map((name) => [
      name,
      record(name),
    ]),
  );
  const parser = new Parser(handler, {
    decodeEntities: true,
    lowerCaseAttributeNames: true,
    ...(options.skipping && withSkippingTokenizer),
  });
  const chunk = options.chunk ?? html.length;
  for (let at = 0; at < html.length; at += chunk) parser.write(html.slice(at, at + chunk));
  parser.end();
  return log;
}

const PAGES = [
  `<!doctype html><html><head><title>Tom &amp; Jerry &lt;3</title><meta name="description" content='A &quot;lamp&quot; & more'>
   <style>a > b { content: "</sty" } /* < */</style>
   <script>if (a < b && c) { x = "</scr" + "ipt>"; } // <!-- not a comment</script>
   <script type="application/ld+json">{"name": "Caf&eacute; <b>"}</script></head>
   <body class=plain data-x=a&amp;b><!-- a -- comment --><p>5 &lt; 6 &nbsp;&copy; &#8364;&#x20AC; & AT&T &notanentity;</p>
   <![CDATA[ raw ]]><textarea>&lt;kept&gt; <b></textarea><svg viewBox="0 0 1 1"><path d='M0&amp;0'/></svg>
   <a href="/x?a=1&b=2&amp;c=3" title="">x</a><img alt=""><input value='it&apos;s'>< not a tag</body></html>`,
  'text only, no markup & an unfinished &amp',
  '<p title="never closed',
  "<p title='never closed &amp; entity",
  '<script>never closed < script',
  '<!-- never closed comment',
  '<p>a</p>&',
];

describe('the skipping tokenizer', () => {
  it('is in use: this version of htmlparser2 still has the internals it overrides', () => {
    expect(skippingTokenizer).not.toBeNull();
  });

  it('reports the same events at the same positions as htmlparser2’s own tokenizer', () => {
    for (const html of PAGES)
      for (const chunk of [undefined, 1, 7, 64])
        expect(events(html, { skipping: true, chunk })).toEqual(events(html, { skipping: false, chunk }));
  });

  it('agrees on markup assembled from the tokens that end runs', () => {
    const pieces = [
      '<',
      '>',
      '&',
      '&amp;',
      '&#60;',
      '"',
      "'",
      '=',
      ' ',
      'a',
      '</',
      'script',
      'style',
      '<!--',
      '-->',
      '--',
      '/',
      'p',
      'é',
      '\n',
    ];
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let page = 0; page < 300; page++) {
      let html = '';
      for (let piece = 0; piece < 60; piece++) html += pieces[Math.floor(random() * pieces.length)];
      expect(events(html, { skipping: true, chunk: 13 })).toEqual(events(html, { skipping: false, chunk: 13 }));
      expect(events(html, { skipping: true })).toEqual(events(html, { skipping: false }));
    }
  });
});
