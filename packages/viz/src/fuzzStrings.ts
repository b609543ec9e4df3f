import fc from 'fast-check';

/**
 * Hostile strings for the fuzz tests of the views and of the HTML export (fast-check): markup
 * whose handlers would set `window.__fuzzPwned`, control characters (NUL and CR among them),
 * bidi marks, ZWJ emoji, lone surrogates, long tokens, prototype keys, empty strings.
 */
export const SET_FLAG = 'window.__fuzzPwned=1';

export const NASTY = [
  `<script>${SET_FLAG}</script>`,
  `<img src=x onerror="${SET_FLAG}">`,
  `"><svg onload=${SET_FLAG}>`,
  `'><img src=x onerror='${SET_FLAG}'>`,
  `<iframe srcdoc="<script>parent.__fuzzPwned=1</script>">`,
  `<a href="javascript:${SET_FLAG}">x</a>`,
  `<style>*{display:none}</style>`,
  `</title></text></svg><img src=x onerror=${SET_FLAG}>`,
  `</textarea></script></style><b>`,
  `<!--`,
  `]]><![CDATA[`,
  `&lt;&amp;&#x3c;`,
  '\u0000\u0007\u001b\u001f',
  '\r\n\r',
  '\u202eevil\u202c',
  '\u200f\u2067rtl\u2069',
  '👩‍👩‍👧‍👦👨🏽‍💻',
  '__proto__',
  'constructor',
  'toString',
  '',
  ' ',
];

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));

export const hostileString = fc.oneof(
  fc.constantFrom(...NASTY),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 16 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 16 }),
  fc.tuple(fc.constantFrom(...NASTY), loneSurrogate, fc.constantFrom(...NASTY)).map((parts) => parts.join('')),
  fc.tuple(fc.constantFrom('a', '😀', '<', '\u202e'), fc.integer({ min: 30, max: 5000 })).map(([c, n]) => c.repeat(n)),
);
