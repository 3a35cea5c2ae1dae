import { describe, expect, it } from 'vitest';
import { buildBlueprint } from '../blueprint/build.js';
import { extractPage, PageContext } from '../extract/runtime.js';
import { calendarDate, sameDate } from '../values/date.js';
import { agreesWith, titleSupport } from './title-evidence.js';

/** One article page: a blueprint from it and the field names only, extracted on it (the one-page protocol). */
function extractOne(html: string, fields = ['title', 'author', 'published_date']) {
  const page = { url: 'https://news.example/2024/05/story', html };
  const { blueprint } = buildBlueprint([page], { fields: fields.map((name) => ({ name })) });
  const record = extractPage(blueprint, page);
  return {
    blueprint,
    value: (name: string) => record.fields[name]?.value ?? null,
    typed: (name: string) => record.fields[name]?.typed ?? null,
  };
}

const body = (inner: string) => `<p>${'Plain article text about the topic at hand. '.repeat(12)}</p>${inner}`;

describe('article titles from agreeing evidence', () => {
  it('agrees a heading with declared titles that add a site name, not with a site name alone', () => {
    expect(agreesWith('mozilla - wikipedia', 'mozilla')).toBe(true);
    expect(agreesWith('shop | oak reading lamp', 'oak reading lamp')).toBe(true);
    expect(agreesWith('west ham wins again at home | daily sport', 'daily sport')).toBe(false);
    expect(agreesWith('the times en español', 'the times')).toBe(false);
    expect(agreesWith('oak reading lamp kaufen | shop', 'oak reading lamp')).toBe(true);
    const page = new PageContext('https://x.example/', '<title>Oak lamp - Shop</title><meta property="og:title" content="Oak lamp">');
    expect(titleSupport(page, 'Oak lamp')).toBe(2);
    expect(titleSupport(page, 'Shop')).toBe(0);
  });

  it('takes the heading the declared titles agree with, not a logo h1 above it', () => {
    const { value } = extractOne(`<html><head><title>Salt marsh birds return | Notes | Ana Lima</title></head><body>
<header class="site-header"><h1 class="main-title"><a href="/">Hi, I'm Ana.</a></h1></header>
<div class="post"><h2>Salt marsh birds return</h2>${body('')}</div></body></html>`);
    expect(value('title')).toBe('Salt marsh birds return');
  });

  it('prefers the document title to a heading nothing agrees with, and drops its separated site name', () => {
    expect(
      extractOne(`<html><head><title>Quarterly results announced</title></head><body><h1>Lorem</h1>${body('')}</body></html>`).value(
        'title',
      ),
    ).toBe('Quarterly results announced');
    expect(
      extractOne(`<html><head><title>Quarterly results announced – My website</title></head><body>${body('')}</body></html>`).value(
        'title',
      ),
    ).toBe('Quarterly results announced');
  });

  it('does not take a structured-data name that no other declared title agrees with', () => {
    const { value } = extractOne(`<html><head><title>Harbour reopens after storm - Coast News</title>
<meta property="og:title" content="Harbour reopens after storm">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","name":"Coast News","headline":"Harbour reopens after storm"}</script>
</head><body><h1 class="article-title">Harbour reopens after storm</h1>${body('')}</body></html>`);
    expect(value('title')).toBe('Harbour reopens after storm');
  });

  it('reads a meta tag that states several RDFa properties at once', () => {
    const { value } =
      extractOne(`<html><head><title>Title Element</title><meta property="x:title dc:title" content="Harbour reopens"></head>
<body><h1>Test heading</h1>${body('')}</body></html>`);
    expect(value('title')).toBe('Harbour reopens');
  });

  it('reads Parse.ly metadata when the page declares nothing else', () => {
    const { value, typed } = extractOne(`<html><head><meta name="parsely-title" content="Harbour reopens">
<meta name="parsely-author" content="Jane Doe"><meta name="parsely-pub-date" content="2024-04-20T04:20:00.000Z"></head>
<body><h1>Test heading</h1>${body('')}</body></html>`);
    expect(value('title')).toBe('Harbour reopens');
    expect(value('author')).toEqual(['Jane Doe']);
    expect(typed('published_date')).toBe('2024-04-20T04:20:00Z');
  });
});

describe('article headlines as the article declares them', () => {
  const news = (head: string, heading: string) =>
    `<html><head>${head}</head><body><article><h1 class="headline">${heading}</h1>${body('')}</article></body></html>`;

  it('takes an article’s declared headline as written, site name included, once its heading confirms it', () => {
    const { value } = extractOne(
      news(
        `<title>How to build a terrarium (with pictures) | Craft Hub</title>
<meta property="og:type" content="article"><meta property="og:title" content="How to build a terrarium | Craft Hub">`,
        'How to build a terrarium',
      ),
    );
    expect(value('title')).toBe('How to build a terrarium | Craft Hub');
  });

  it('keeps the heading on an item page whose declared titles add the shop’s name', () => {
    const { value } = extractOne(
      news(
        `<title>Oak reading lamp | Lamp House</title><meta property="og:title" content="Oak reading lamp | Lamp House">`,
        'Oak reading lamp',
      ),
    );
    expect(value('title')).toBe('Oak reading lamp');
  });

  it('keeps the heading on a product page that also calls itself an Open Graph article', () => {
    const { value } = extractOne(
      news(
        `<title>Oak reading lamp - furniture - by owner</title><meta property="og:type" content="article">
<meta property="og:title" content="Oak reading lamp - furniture - by owner"><script type="application/ld+json">{"@type":"Product","name":"Oak reading lamp"}</script>`,
        'Oak reading lamp',
      ),
    );
    expect(value('title')).toBe('Oak reading lamp');
  });

  it('takes a declared headline that reads the heading’s words with other punctuation', () => {
    const { value } = extractOne(
      news(
        `<meta property="og:type" content="article"><meta property="og:title" content="How we designed Harbor’s queue - a task framework">`,
        'How we designed Harbor queue: a task framework',
      ),
    );
    expect(value('title')).toBe('How we designed Harbor’s queue - a task framework');
  });

  it('does not take a structured-data headline that no heading or other declared title confirms', () => {
    const { value } = extractOne(
      news(
        `<title>Hermitian matrix - Encyclopedia</title><script type="application/ld+json">
{"@context":"https://schema.org","@type":"Article","name":"Hermitian matrix","headline":"matrix equal to its conjugate transpose"}</script>`,
        'Hermitian matrix',
      ),
    );
    expect(value('title')).toBe('Hermitian matrix');
  });

  it('trims a site name that every article of a site appends to its declared headline', () => {
    const pages = ['Harbour reopens after storm', 'Ferry timetable changes in May', 'New lighthouse keeper named'].map((headline, i) => ({
      url: `https://news.example/2024/05/story-${i}`,
      html: news(`<meta property="og:type" content="article"><meta property="og:title" content="${headline} | Coast News">`, headline),
    }));
    const { blueprint } = buildBlueprint(pages, { fields: [{ name: 'title' }] });
    expect(pages.map((page) => extractPage(blueprint, page).fields.title?.value)).toEqual([
      'Harbour reopens after storm',
      'Ferry timetable changes in May',
      'New lighthouse keeper named',
    ]);
  });

  it('takes an article’s document title less its site name when it declares no headline metadata', () => {
    const { value } = extractOne(`<html><head><title>Salt marsh birds return | Notes | Ana Lima</title></head><body>
<article itemscope itemtype="https://schema.org/BlogPosting"><h2 itemprop="name">Salt marsh birds return</h2>${body('')}</article></body></html>`);
    expect(value('title')).toBe('Salt marsh birds return | Notes');
  });

  it('reads the Dublin Core title and creator before Open Graph and the generic author tag', () => {
    const { value } =
      extractOne(`<html><head><title>Title element</title><meta name="author" content="Site Team"><meta property="og:title" content="Sharing title">
<meta property="dc:title" content="Catalogue title"><meta property="dc:creator" content="Ada Byron"></head><body><h1>Test heading</h1>${body('')}</body></html>`);
    expect(value('title')).toBe('Catalogue title');
    expect(value('author')).toEqual(['Ada Byron']);
  });
});

describe('article bylines and dates', () => {
  const article = `<html><head><title>Weekly notes, issue 85 – Team Blog</title></head><body>
<article><header class="entry-header"><h1 class="entry-title">Weekly notes, issue 85</h1>
<div class="entry-info"><a href="/author/mc" rel="author">Mike Conway</a> <time class="date published" datetime="2020-12-18T16:09:48+00:00">December 18, 2020</time></div></header>
${body('')}</article>
<nav class="nav-paging"><div class="nav-paging-prev"><time class="date" datetime="2020-12-08T21:46:52+00:00">December 8, 2020</time></div></nav>
<section id="comments" class="comments"><ol><li><cite class="author fn">Alan Good</cite> <time datetime="2020-12-24T03:53:00+00:00">December 24, 2020</time></li>
<li><cite class="author fn">Jo Doe</cite></li></ol><p class="comment-form-author"><label>Name *</label></p></section></body></html>`;

  it('takes the rel=author byline and the article header date, not those of comments or paging links', () => {
    const { value, typed } = extractOne(article);
    expect(value('author')).toEqual(['Mike Conway']);
    expect(calendarDate(String(typed('published_date')))).toBe('2020-12-18');
    expect(value('title')).toBe('Weekly notes, issue 85');
  });

  it('does not take a bare year, a year in a sentence or a copyright line for the date', () => {
    const { value } =
      extractOne(`<html><head><title>Bartleby, the scrivener</title></head><body><h1>Bartleby, the scrivener</h1><p class="year">1853</p>
<h2>"Bartleby, the Scrivener" (1853) Herman Melville</h2>${body('<p class="copyright">©2005-2015 Example, LLC. All rights reserved.</p>')}</body></html>`);
    expect(value('published_date')).toBeNull();
  });

  it('reads a date line in the page’s language, named by its words or by its class', () => {
    const lines: [string, string][] = [
      ['<p class="meta">Veröffentlicht am 04.03.2021, 10:15 Uhr</p>', 'a German line the words “Veröffentlicht am” open'],
      [
        '<div class="meta"><span class="sig">Par Marie Dupont</span> <span>Publié le 4 mars 2021 à 10h00</span></div>',
        'a French line in an unnamed span',
      ],
      ['<p class="data">4 marzo 2021</p>', 'an Italian date its class names'],
      ['<p class="datum">4. März 2021</p>', 'a German date its class names'],
    ];
    for (const [line, what] of lines) {
      const { typed } = extractOne(
        `<html><head><title>Story | Paper</title></head><body><article><h1>Story</h1>${line}${body('')}</article></body></html>`,
      );
      expect(calendarDate(String(typed('published_date'))), what).toBe('2021-03-04');
    }
  });

  it('keeps a name holding an ampersand whole when its parts are not names', () => {
    const { value } = extractOne(
      `<html><head><meta name="author" content="Mac & i"><title>Password tool update - Tech</title></head><body><h1>Password tool update</h1>${body('')}</body></html>`,
    );
    expect(value('author')).toEqual(['Mac & i']);
  });

  it('reads JSON-LD wrapped in a bare CDATA section', () => {
    const { value, typed } = extractOne(`<html><head><title>Hermitian matrix - Encyclopedia</title><script type="application/ld+json">
<![CDATA[ {"@context":"https://schema.org","@type":"Article","name":"Hermitian matrix","author":{"@type":"Organization","name":"Contributors"},"datePublished":"2003-02-28T21:51:08Z"} ]]>
</script></head><body><h1>Hermitian matrix</h1>${body('<p class="date">February 2018</p>')}</body></html>`);
    expect(value('author')).toEqual(['Contributors']);
    expect(typed('published_date')).toBe('2003-02-28T21:51:08Z');
  });

  it('does not take a date another label names ("Founded") for the publication date, whatever its class', () => {
    const { value } = extractOne(`<html><head><title>Harbour Works - Encyclopedia</title></head><body><h1>Harbour Works</h1>
<table class="infobox"><tr><th>Founded</th><td>March 2, 1998<span style="display:none"> (<span class="bday dtstart published">1998-03-02</span>)</span></td></tr>
<tr><th>Owner</th><td>Port Authority</td></tr></table>${body('')}</body></html>`);
    expect(value('published_date')).toBeNull();
    // The same date under a label that names the publication is the page's date.
    const dated = extractOne(`<html><head><title>Harbour Works - Encyclopedia</title></head><body><h1>Harbour Works</h1>
<dl><dt>Published</dt><dd><span class="published">1998-03-02</span></dd></dl>${body('')}</body></html>`);
    expect(dated.value('published_date')).toBe('1998-03-02');
  });

  it('does not take an unnamed date in a reference list for a lone page’s date, but keeps its <time>', () => {
    const references = `<ol class="references"><li><cite>"Harbour history". Port Journal. Retrieved <span class="nowrap">2016-05-01</span>.</cite></li></ol>`;
    expect(
      extractOne(`<html><head><title>Harbour Works</title></head><body><h1>Harbour Works</h1>${body(references)}</body></html>`).value(
        'published_date',
      ),
    ).toBeNull();
    const { typed } = extractOne(
      `<html><head><title>Harbour Works</title></head><body><h1>Harbour Works</h1><p><time datetime="2021-04-09">April 9</time></p>${body(references)}</body></html>`,
    );
    expect(calendarDate(String(typed('published_date')))).toBe('2021-04-09');
  });

  it('takes the author its metadata and header byline agree on, not a teaser’s "by" line', () => {
    const { value } =
      extractOne(`<html><head><title>Ferry strike ends - Coast News</title><meta property="author" content="Nora Vidal"></head>
<body><h1>Ferry strike ends</h1><div class="byline"><a href="/nvidal" class="byline__author">Nora Vidal</a></div>${body('')}
<div class="indepth-module"><h3>Read more</h3><p>Harbour tolls rise</p><span>by <a href="/pkane">Paul Kane</a></span></div></body></html>`);
    expect(value('author')).toEqual(['Nora Vidal']);
  });

  it('reads the credit words newsrooms use besides "by"', () => {
    for (const words of ['Story by', 'Words by', 'Reporting by']) {
      const { value } = extractOne(`<html><head><title>Tide tables - Coast News</title></head><body><article><h1>Tide tables</h1>
<div class="article-meta"><span>${words} <a href="/p/jane">Jane Doe</a></span> <span class="sep">|</span> <span>4 min read</span></div>${body('')}</article></body></html>`);
      expect(value('author'), words).toEqual(['Jane Doe']);
    }
  });

  it('keeps the author of a byline, not the editor credited after it', () => {
    const { value } = extractOne(`<html><head><title>Monitoring basics - Handbook</title></head><body><h1>Monitoring basics</h1>
<p class="byline">Written by Rosa Ewald<br>Edited by Bea Bayer</p>${body('')}</body></html>`);
    expect(value('author')).toEqual(['Rosa Ewald']);
  });

  it('reads a byline as the page states it where no metadata names the author, and the author’s name from it', () => {
    const fields = ['title', 'author', 'byline'];
    const credited = extractOne(
      `<html><head><title>Monitoring basics - Handbook</title></head><body><h1>Monitoring basics</h1>
<p class="byline">Written by Rosa Ewald<br>Edited by Bea Bayer</p>${body('')}</body></html>`,
      fields,
    );
    expect(credited.value('byline')).toBe('Written by Rosa Ewald Edited by Bea Bayer');
    expect(credited.value('author')).toEqual(['Rosa Ewald']);
    // A credit line without a class naming it: a byline word, then the name and the desk.
    const { value } = extractOne(
      `<html><head><title>Harbour tolls rise - Coast News</title></head><body><h1>Harbour tolls rise</h1>
<div class="meta"><div class="sig">By <a href="/people/jane-doe">Jane Doe</a><br>Coast News Staff</div><span>Share</span></div>${body('')}</body></html>`,
      fields,
    );
    expect(value('byline')).toBe('By Jane Doe Coast News Staff');
    expect(value('author')).toEqual(['Jane Doe']);
  });

  it('takes the name the page declares for the byline, from its metadata or its microdata, over the visible line', () => {
    const page = (head: string, credit: string) =>
      `<html><head><title>Salt marsh birds return - Coast News</title>${head}</head><body><h1>Salt marsh birds return</h1>${credit}${body('')}</body></html>`;
    // Even where the page's microdata marks the visible line itself as the author's name.
    const person = `<div itemprop="author" itemscope itemtype="https://schema.org/Person"><a rel="author" href="/people/jane-doe"><span itemprop="name">By Jane Doe</span></a></div>`;
    expect(extractOne(page('<meta name="author" content="Jane Doe">', person), ['byline']).value('byline')).toBe('Jane Doe');
    const marked = `<p class="credit" itemprop="author" itemscope itemtype="https://schema.org/Person">By <a href="/people/jane-doe"><span itemprop="name">Jane Doe</span></a></p>`;
    expect(extractOne(page('', marked), ['byline']).value('byline')).toBe('Jane Doe');
    // Without either, the visible line as stated.
    const line = `<div class="byline">By <a href="/people/jane-doe">Jane Doe</a>, Science Desk</div>`;
    expect(extractOne(page('', line), ['byline']).value('byline')).toBe('By Jane Doe, Science Desk');
  });
});

describe('ISO dates', () => {
  it('gives the calendar date in the writer’s own time zone', () => {
    expect(calendarDate('2021-11-01T00:52:50+0100')).toBe('2021-11-01');
    expect(calendarDate('Apr 16, 2015 8:02 pm UTC')).toBe('2015-04-16');
    expect(calendarDate('no date here')).toBeNull();
    expect(sameDate('2015-03-27T13:07:55.096Z', 'March 27, 2015')).toBe(true);
    expect(sameDate('2018', '2018-02-01')).toBe(false);
    expect(calendarDate('2016年10月14日07:17')).toBe('2016-10-14');
    expect(calendarDate('2016년 10월 14일')).toBe('2016-10-14');
  });
});
