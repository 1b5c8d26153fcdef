/** A JWT part (header or claims) as a collapsible ARIA tree, keyboard navigable, text only. */
import { type ClaimNode, claimNodes } from './claimTreeModel';
import { el } from './dom';

/** Called for each date shown, so the page can keep its "in 14 min" current. */
export type DateCellSink = (cell: HTMLElement, at: number) => void;

function treeItem(n: ClaimNode, level: number, onDate: DateCellSink): HTMLElement {
  const row = el('span', { class: 'claim-row' },
    el('span', { class: 'twisty', 'aria-hidden': 'true' }),
    el('span', { class: 'claim-name' }, n.label), ': ',
    el('span', { class: n.children ? 'claim-value muted' : 'claim-value' }, n.text));
  if (n.date) {
    const relative = el('span', { class: n.date.past ? 'claim-relative past' : 'claim-relative' }, n.date.relative);
    onDate(relative, Date.parse(n.date.iso));
    row.append(' ', el('span', { class: 'claim-date' }, n.date.iso), ' ', relative);
  }
  const item = el('li', { role: 'treeitem', 'aria-level': String(level), tabindex: '-1' }, row);
  if (n.children) {
    // Nested objects start collapsed below the top level: the claims themselves are what one reads first.
    const expanded = level === 1 && n.children.length <= 8;
    item.setAttribute('aria-expanded', String(expanded));
    const group = el('ul', { role: 'group' });
    for (const c of n.children) group.append(treeItem(c, level + 1, onDate));
    item.append(group);
  }
  return item;
}

function visibleItems(tree: HTMLElement): HTMLElement[] {
  return [...tree.querySelectorAll<HTMLElement>('[role="treeitem"]')].filter((item) => {
    for (let p = item.parentElement?.closest<HTMLElement>('[role="treeitem"]'); p && tree.contains(p); p = p.parentElement?.closest<HTMLElement>('[role="treeitem"]')) {
      if (p.getAttribute('aria-expanded') === 'false') return false;
    }
    return true;
  });
}

function focusItem(tree: HTMLElement, item: HTMLElement | undefined): void {
  if (!item) return;
  for (const i of tree.querySelectorAll<HTMLElement>('[role="treeitem"][tabindex="0"]')) i.tabIndex = -1;
  item.tabIndex = 0;
  item.focus();
}

function onKey(tree: HTMLElement, e: KeyboardEvent): void {
  const current = (e.target as HTMLElement).closest<HTMLElement>('[role="treeitem"]');
  if (!current) return;
  const items = visibleItems(tree);
  const at = items.indexOf(current);
  const expanded = current.getAttribute('aria-expanded');
  let handled = true;
  switch (e.key) {
    case 'ArrowDown': focusItem(tree, items[at + 1]); break;
    case 'ArrowUp': focusItem(tree, items[at - 1]); break;
    case 'Home': focusItem(tree, items[0]); break;
    case 'End': focusItem(tree, items[items.length - 1]); break;
    case 'ArrowRight':
      if (expanded === 'false') current.setAttribute('aria-expanded', 'true');
      else if (expanded === 'true') focusItem(tree, current.querySelector<HTMLElement>('[role="treeitem"]') ?? undefined);
      break;
    case 'ArrowLeft':
      if (expanded === 'true') current.setAttribute('aria-expanded', 'false');
      else focusItem(tree, current.parentElement?.closest<HTMLElement>('[role="treeitem"]') ?? undefined);
      break;
    case 'Enter':
    case ' ':
      if (expanded !== null) current.setAttribute('aria-expanded', String(expanded !== 'true'));
      break;
    default: handled = false;
  }
  if (handled) e.preventDefault();
}

/** The tree of one JWT part; `json` is the pretty JSON the extension sent. */
export function claimTree(label: string, json: string, now: number, onDate: DateCellSink): HTMLElement {
  const tree = el('ul', { role: 'tree', class: 'claim-tree', 'aria-label': label });
  for (const n of claimNodes(json, now)) tree.append(treeItem(n, 1, onDate));
  const first = tree.querySelector<HTMLElement>('[role="treeitem"]');
  if (first) first.tabIndex = 0;
  tree.addEventListener('keydown', (e) => onKey(tree, e));
  tree.addEventListener('click', (e) => {
    const item = (e.target as HTMLElement).closest<HTMLElement>('[role="treeitem"]');
    if (!item) return;
    if ((e.target as HTMLElement).closest('.claim-row') && item.hasAttribute('aria-expanded')) item.setAttribute('aria-expanded', String(item.getAttribute('aria-expanded') !== 'true'));
    focusItem(tree, item);
  });
  return tree;
}
