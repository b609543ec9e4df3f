import { escapeHTML } from './dom.ts';
import { CSS } from './styles.ts';

/**
 * The standalone page around `body` (markup written by toMarkup): inline CSS, no script, a
 * Content-Security-Policy that allows only inline styles and data: images; the title escaped.
 */
export function standaloneDocument(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHTML(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    `<body>${body}</body>`,
    '</html>',
    '',
  ].join('\n');
}
