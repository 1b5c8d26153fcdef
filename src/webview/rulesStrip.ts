import type { FromWebview, RuleRow } from '../shared/protocol';
import { formatDuration } from './format';

/** Rule rows from a `state` or `delta` message (absent when the message carries none). */
function rulesOf(data: unknown): readonly RuleRow[] | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  const m = data as { type?: unknown; state?: { rules?: unknown }; delta?: { rules?: unknown } };
  const rules = m.type === 'state' ? m.state?.rules : m.type === 'delta' ? m.delta?.rules : undefined;
  return Array.isArray(rules) ? rules.filter((r): r is RuleRow => r !== null && typeof r === 'object' && typeof (r as RuleRow).id === 'string' && typeof (r as RuleRow).label === 'string') : undefined;
}

function text(tag: string, className: string, value: string): HTMLElement {
  const node = document.createElement(tag);
  node.className = className;
  // Labels carry cookie and header names the dev server chose: text only, never markup.
  node.textContent = value;
  return node;
}

/**
 * The Rules strip: the in-flight rules (and keep-alive) active in the capture, each with what it
 * did last and an off switch. Mounted once above the panel's root; it reads the same state and
 * delta messages as the rest of the panel and posts `ruleOff`.
 */
export function mountRulesStrip(root: HTMLElement, post: (message: FromWebview) => void): void {
  const strip = document.createElement('section');
  strip.className = 'rules-strip';
  strip.setAttribute('aria-label', 'In-flight rules');
  strip.hidden = true;
  root.parentElement?.insertBefore(strip, root);

  /** Countdowns of shortened cookies, redrawn every second while there are any. */
  let countdowns: { cell: HTMLElement; shortened: NonNullable<RuleRow['shortened']> }[] = [];
  let ticker: ReturnType<typeof setInterval> | undefined;
  const tick = (): void => {
    const now = Date.now();
    for (const { cell, shortened } of countdowns) {
      const left = shortened.expiresAt - now;
      const server = shortened.serverExpiresAt === undefined ? 'server: browser session' : `server: ${formatDuration(Math.max(0, shortened.serverExpiresAt - now))}`;
      cell.textContent = `${left > 0 ? `expires in ${formatDuration(left)}` : 'expired'} (${server})`;
    }
  };

  const render = (rules: readonly RuleRow[]): void => {
    strip.hidden = rules.length === 0;
    countdowns = [];
    const list = document.createElement('ul');
    for (const rule of rules) {
      const item = document.createElement('li');
      item.className = `rule rule-${rule.kind.replace(/[^a-z-]/g, '')}`;
      item.append(text('span', 'rule-label', rule.label));
      const count = typeof rule.hits === 'number' ? rule.hits : 0;
      item.append(text('span', 'rule-hits', rule.kind === 'keep-alive' ? `${count} sent` : `${count} changed`));
      if (rule.last) item.append(text('span', 'rule-last', `last: ${rule.last.request} → ${rule.last.status ?? '…'}`));
      if (rule.shortened && typeof rule.shortened.expiresAt === 'number') {
        const cell = text('span', 'rule-countdown', '');
        countdowns.push({ cell, shortened: rule.shortened });
        item.append(cell);
      }
      const off = document.createElement('button');
      off.className = 'secondary rule-off';
      off.textContent = 'Turn off';
      off.setAttribute('aria-label', `Turn off: ${rule.label}`);
      off.addEventListener('click', () => post({ type: 'ruleOff', id: rule.id }));
      item.append(off);
      list.append(item);
    }
    strip.replaceChildren(text('span', 'rules-title', 'Rules'), list);
    tick();
    if (countdowns.length > 0 && ticker === undefined) ticker = setInterval(tick, 1000);
    else if (countdowns.length === 0 && ticker !== undefined) {
      clearInterval(ticker);
      ticker = undefined;
    }
  };

  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const rules = rulesOf(event.data);
    if (rules !== undefined) render(rules);
  });
}
