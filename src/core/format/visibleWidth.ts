/** Terminal escape sequences: CSI (`\x1b[2K`, colours), OSC (titles, links) and two-character ones. */
// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

/** Characters that take no cell: combining marks, format characters (zero-width joiner, variation selectors), controls. */
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\p{Cc}]$/u;

/** Characters that take two cells: East Asian wide and fullwidth ranges (CJK, kana, Hangul, fullwidth forms), and emoji pictographs. */
const WIDE = new RegExp(
  `^[${[
    '\u1100-\u115f',
    '\u2e80-\u303e',
    '\u3041-\u33ff',
    '\u3400-\u4dbf',
    '\u4e00-\u9fff',
    '\ua000-\ua4cf',
    '\uac00-\ud7a3',
    '\uf900-\ufaff',
    '\ufe30-\ufe4f',
    '\uff00-\uff60',
    '\uffe0-\uffe6',
    '\u{1f300}-\u{1f64f}',
    '\u{1f900}-\u{1f9ff}',
    '\u{20000}-\u{3fffd}',
  ].join('')}]$`,
  'u',
);

/**
 * How many terminal cells `text` takes: escape sequences count for nothing, each other character (code
 * point, not UTF-16 unit) for one cell, two for wide ones, none for combining ones. Box-drawing and
 * block characters (`█`, `░`, `·`, `…`) count one, as terminals draw them outside East Asian locales.
 */
export function visibleWidth(text: string): number {
  let width = 0;
  for (const char of text.replace(ESCAPES, '')) width += ZERO_WIDTH.test(char) ? 0 : WIDE.test(char) ? 2 : 1;
  return width;
}
