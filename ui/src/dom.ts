/** Building DOM without innerHTML: every text from the server goes in as a text node (no XSS). */

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

/** Creates an element: `h('a', { href: '#/x', class: 'link' }, 'text', child)`. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children)
    if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

/** Replaces an element's children. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren(
    ...children
      .filter((c): c is Node | string | number => c !== null && c !== undefined && c !== false)
      .map((c) => (c instanceof Node ? c : String(c))),
  );
}

/** A table with a header row and one row per item; an empty table says so. */
export function table<T>(
  heads: string[],
  items: readonly T[],
  row: (x: T) => Child[],
  empty = '—',
): HTMLTableElement {
  const body = h('tbody');
  for (const x of items) body.append(h('tr', {}, ...row(x).map((c) => h('td', {}, c))));
  if (items.length === 0) body.append(h('tr', {}, h('td', { colspan: heads.length, class: 'empty' }, empty)));
  return h(
    'table',
    { class: 'grid' },
    h('thead', {}, h('tr', {}, ...heads.map((x) => h('th', {}, x)))),
    body,
  );
}

/** A coloured label: `badge('拒绝', 'bad')`. */
export function badge(
  text: string,
  tone: 'ok' | 'bad' | 'warn' | 'muted' | 'info' = 'muted',
): HTMLSpanElement {
  return h('span', { class: `badge ${tone}` }, text);
}

/** A titled panel. */
export function card(title: string | null, ...children: Child[]): HTMLElement {
  return h('section', { class: 'card' }, title ? h('h2', {}, title) : null, ...children);
}

/** A labelled form control. */
export function field(label: string, control: HTMLElement): HTMLLabelElement {
  return h('label', { class: 'field' }, h('span', {}, label), control);
}

/** A select with (value, text) options and an optional current value. */
export function select(name: string, options: Array<[string, string]>, value = ''): HTMLSelectElement {
  const s = h('select', { name });
  for (const [v, text] of options) s.append(h('option', { value: v, selected: v === value }, text));
  return s;
}
