import { describe, expect, it } from 'vitest';
import { LiteralFinder } from './literals.js';
import { compilePattern, patternRequirement, requirementLiterals, satisfied } from './patterns.js';

/** Whether the gate lets a page-wide pattern run on `text`, and whether its regex matches there. */
function gateAndMatch(source: string, text: string) {
  const pattern = compilePattern(source, true);
  const present = new LiteralFinder(requirementLiterals(pattern.requirement!)).find(text);
  return { runs: satisfied(pattern.requirement!, present), matches: pattern.regex.test(text) };
}

describe('what a pattern requires of a page', () => {
  it('requires every run of plain characters, not only the longest', () => {
    expect(patternRequirement('<script[^>]+data-cfasync="false"')).toEqual({ all: ['<script', 'data-cfasync="false"'] });
  });

  it('reads alternatives inside groups as "any of"', () => {
    expect(patternRequirement('<[^>]+class="[^"]*(?:uk-container|uk-section)')).toEqual({
      all: ['class="', { any: ['uk-container', 'uk-section'] }],
    });
    // A group with a branch of no literal (x) requires nothing; " by " still counts.
    expect(patternRequirement('(?:powered|built) by (?:foo|x)')).toEqual({ all: [{ any: ['powered', 'built'] }, ' by '] });
  });

  it('requires nothing from optional parts, negative lookarounds or a branch without literals', () => {
    expect(patternRequirement('jquery(?:\\.min)?\\.js')).toEqual({ all: ['jquery', '.js'] });
    expect(patternRequirement('abc(?:defgh)*ijk')).toEqual({ all: ['abc', 'ijk'] });
    expect(patternRequirement('abcd(?!efgh)')).toBe('abcd');
    expect(patternRequirement('wxyz(?<!efgh)')).toBe('wxyz');
    expect(patternRequirement('abcd|\\d+')).toBeUndefined();
    expect(patternRequirement('[a-z]+\\.x')).toBeUndefined();
    // A character made optional splits the run around it.
    expect(patternRequirement('abcd?efg')).toEqual({ all: ['abc', 'efg'] });
  });

  it('does not take a quantifier or an escape for plain characters', () => {
    expect(patternRequirement('(?:ab){123}xyz')).toBe('xyz');
    expect(patternRequirement('\\x41bcd')).toBe('bcd');
    expect(patternRequirement('(a)\\1234')).toBeUndefined();
  });

  it('runs a pattern when the literals of one alternative are all present, and skips it otherwise', () => {
    const uikit = '<[^>]+class="[^"]*(?:uk-container|uk-section)';
    expect(gateAndMatch(uikit, '<div class="main uk-section">')).toEqual({ runs: true, matches: true });
    // class=" is on nearly every page; without one of the group's literals the regex is not run.
    expect(gateAndMatch(uikit, '<div class="main">')).toEqual({ runs: false, matches: false });
    expect(gateAndMatch(uikit, 'uk-section')).toEqual({ runs: false, matches: false });
    const either = '(?:<title>SQL Buddy<\\/title>|<[^>]+onclick="sideMainClick\\("home\\.php)';
    expect(gateAndMatch(either, '<a onclick="sideMainClick("home.php">')).toEqual({ runs: true, matches: true });
    expect(gateAndMatch(either, '<TITLE>sql buddy</title>')).toEqual({ runs: true, matches: true });
    expect(gateAndMatch(either, '<title>SQL</title> onclick="x"')).toEqual({ runs: false, matches: false });
  });
});
