/** DOM helpers of the Session webview: server data always becomes text nodes, never HTML. */

/** An element with attributes and children; string children become text nodes. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  // Strings become text nodes: server data is never parsed as HTML.
  for (const c of children) node.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return node;
}

/** A `type=button` button that runs `onClick`. */
export function button(label: string, attrs: Record<string, string>, onClick: () => void): HTMLButtonElement {
  const b = el('button', { type: 'button', ...attrs }, label);
  b.addEventListener('click', onClick);
  return b;
}
