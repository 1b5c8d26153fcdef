import { ROW_SOURCE_LABELS, type RowSource } from '../shared/protocol';
import { el } from './dom';

/**
 * The badge that says which capture source a row came from (proxy, HAR import, browser over
 * CDP, the browser's cookie jar, localStorage/sessionStorage). Screen readers hear "Source: …";
 * the tooltip says it in full. An unknown value (a newer extension) shows as is, as text.
 */
export function sourceBadge(source: RowSource | undefined): HTMLElement[] {
  if (source === undefined) return [];
  const label = Object.prototype.hasOwnProperty.call(ROW_SOURCE_LABELS, source) ? ROW_SOURCE_LABELS[source] : { short: String(source), long: `Source: ${String(source)}` };
  return [el('span', { class: `badge source source-${/^[a-zA-Z-]+$/.test(source) ? source : 'other'}`, title: label.long, 'data-source': String(source) },
    el('span', { class: 'visually-hidden' }, 'Source: '), label.short)];
}
