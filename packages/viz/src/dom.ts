/**
 * A small tree description of what the views draw, rendered two ways: to live DOM nodes
 * (`toElement`, text set as text nodes, styles through the CSSOM) and to an HTML string
 * (`toMarkup`, every text and attribute value escaped). The views build one tree; the two
 * renderings cannot disagree, and the string one needs no DOM (Node, workers).
 */

/** Inline style properties: CSS property name → value (computed by this package, never from the result's strings). */
export type Style = Record<string, string>;
export type AttrValue = string | number | boolean | null | undefined;
export interface Attrs {
  style?: Style;
  [name: string]: AttrValue | Style;
}
export type Child = VNode | string | null | undefined | false;

export interface VNode {
  tag: string;
  /** Created in the SVG namespace (the tag and its subtree). */
  svg: boolean;
  attrs: Attrs;
  children: Child[];
}

const SVG_NS = 'http://www.w3.org/2000/svg';
/** Attribute names this package writes; event handlers (on…) are refused outright. */
const ATTR_NAME = /^[a-zA-Z][a-zA-Z0-9:_.-]*$/;
/** Elements whose content is raw text in HTML: only this package's own constant CSS goes there. */
const RAW_TEXT = new Set(['style']);
const VOID = new Set(['meta', 'img', 'br', 'hr', 'input', 'link']);

/** An HTML element. */
export function h(tag: string, attrs: Attrs = {}, ...children: Child[]): VNode {
  return { tag, svg: false, attrs, children };
}

/** An SVG element (children created with `s` too). */
export function s(tag: string, attrs: Attrs = {}, ...children: Child[]): VNode {
  return { tag, svg: true, attrs, children };
}

function checkName(name: string): void {
  if (!ATTR_NAME.test(name) || /^on/i.test(name)) throw new Error(`@glassbox/viz: refusing attribute name "${name}"`);
}

/** Attribute values as written: true → "", false/null/undefined → left out. */
function attrEntries(attrs: Attrs): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'style' || typeof value === 'object' || value === false || value === undefined) continue;
    checkName(name);
    out.push([name, value === true ? '' : String(value)]);
  }
  return out;
}

/** Per document, the stylesheets adopted for <style> nodes, by their text. */
const adopted = new WeakMap<Document, Map<string, CSSStyleSheet>>();

/**
 * Put a <style> node's text in the document's adopted stylesheets (once), where the browser
 * constructs sheets: a CSSOM stylesheet, which a Content-Security-Policy without
 * 'unsafe-inline' allows where it refuses a <style> element. False where it cannot
 * (no constructable stylesheets, or a document without a window such as DOMParser's).
 */
function adoptStyle(doc: Document, node: VNode): boolean {
  const Sheet = doc.defaultView?.CSSStyleSheet;
  if (node.svg || !Sheet || !('replaceSync' in Sheet.prototype) || !Array.isArray(doc.adoptedStyleSheets)) return false;
  const css = node.children.filter((c): c is string => typeof c === 'string').join('');
  let sheets = adopted.get(doc);
  if (!sheets) adopted.set(doc, (sheets = new Map()));
  let sheet = sheets.get(css);
  if (!sheet) {
    sheet = new Sheet();
    sheet.replaceSync(css);
    sheets.set(css, sheet);
  }
  if (!doc.adoptedStyleSheets.includes(sheet)) doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, sheet];
  return true;
}

/** Live DOM nodes for the tree, in `doc`. A <style> child is adopted by the document instead where it can be (see adoptStyle). */
export function toElement(node: VNode, doc: Document = document): Element {
  const el = node.svg ? doc.createElementNS(SVG_NS, node.tag) : doc.createElement(node.tag);
  for (const [name, value] of attrEntries(node.attrs)) el.setAttribute(name, value);
  const style = (el as HTMLElement | SVGElement).style;
  for (const [prop, value] of Object.entries(node.attrs.style ?? {})) style.setProperty(prop, value);
  for (const child of node.children) {
    if (child === null || child === undefined || child === false) continue;
    if (typeof child !== 'string' && child.tag === 'style' && adoptStyle(doc, child)) continue;
    el.append(typeof child === 'string' ? doc.createTextNode(child) : toElement(child, doc));
  }
  return el;
}

/** A live element as a tree (its attributes, inline style and text exactly as they are), for toMarkup to write: one escaping for every export. */
export function fromElement(el: Element): VNode {
  const attrs: Attrs = {};
  for (const { name, value } of Array.from(el.attributes)) if (name !== 'style' && name !== 'xmlns') attrs[name] = value;
  const style = (el as HTMLElement | SVGElement).style;
  if (style?.length)
    attrs.style = Object.fromEntries(
      Array.from(style, (p) => [p, style.getPropertyValue(p) + (style.getPropertyPriority(p) ? ' !important' : '')]),
    );
  const children = Array.from(
    el.childNodes,
    (n): Child => (n.nodeType === n.TEXT_NODE ? (n as Text).data : n.nodeType === n.ELEMENT_NODE ? fromElement(n as Element) : null),
  );
  return { tag: el.localName, svg: el.namespaceURI === SVG_NS, attrs, children };
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '\r': '&#13;',
  '\0': '\ufffd',
};

/**
 * Text or an attribute value made inert in HTML, read back by a parser as the same string:
 * & < > " ' escaped, CR as &#13; (a raw one is read as LF); U+0000, which HTML cannot hold
 * (a parser drops it or reads U+FFFD), written as U+FFFD.
 */
export function escapeHTML(text: string): string {
  return text.replace(/[&<>"'\r\0]/g, (c) => ESCAPES[c]!);
}

function styleText(style: Style): string {
  return Object.entries(style)
    .map(([prop, value]) => `${prop}: ${value}`)
    .join('; ');
}

/** The tree as HTML: every text node and attribute value escaped. */
export function toMarkup(node: VNode): string {
  const attrs = attrEntries(node.attrs);
  if (node.attrs.style && Object.keys(node.attrs.style).length) attrs.push(['style', styleText(node.attrs.style)]);
  if (node.tag === 'svg') attrs.unshift(['xmlns', SVG_NS]);
  const open = `<${node.tag}${attrs.map(([n, v]) => ` ${n}="${escapeHTML(v)}"`).join('')}>`;
  if (!node.svg && VOID.has(node.tag)) return open;
  const inner = node.children
    .map((child) => {
      if (child === null || child === undefined || child === false) return '';
      if (typeof child !== 'string') return toMarkup(child);
      if (!RAW_TEXT.has(node.tag)) return escapeHTML(child);
      if (/[<&]/.test(child)) throw new Error(`@glassbox/viz: <${node.tag}> text may not contain < or &`);
      return child;
    })
    .join('');
  return `${open}${inner}</${node.tag}>`;
}
