/** A small typed XML writer (elements, attributes, text), enough for JUnit reports. Pure. */
export interface XmlElement {
  readonly name: string;
  readonly attrs?: Readonly<Record<string, string | number | undefined>>;
  readonly children?: readonly XmlElement[];
  readonly text?: string;
}

/** XML 1.0 allows tab, LF, CR and code points from 0x20 (minus surrogates and U+FFFE/U+FFFF); others become U+FFFD. */
// eslint-disable-next-line no-control-regex
const INVALID = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function escapeText(s: string): string {
  return s.replace(INVALID, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

function render(e: XmlElement, depth: number, out: string[]): void {
  const pad = '  '.repeat(depth);
  const attrs = Object.entries(e.attrs ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeAttr(String(v))}"`)
    .join('');
  const children = e.children ?? [];
  if (children.length === 0 && e.text === undefined) {
    out.push(`${pad}<${e.name}${attrs}/>`);
    return;
  }
  if (children.length === 0) {
    out.push(`${pad}<${e.name}${attrs}>${escapeText(e.text as string)}</${e.name}>`);
    return;
  }
  out.push(`${pad}<${e.name}${attrs}>`);
  for (const c of children) render(c, depth + 1, out);
  out.push(`${pad}</${e.name}>`);
}

export function xmlDocument(root: XmlElement): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  render(root, 0, out);
  return `${out.join('\n')}\n`;
}
