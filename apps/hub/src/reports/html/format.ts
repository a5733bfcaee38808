import type { CellValue, ColumnKind } from '../report-model.js';
import { html, type SafeHtml } from './html.js';

// Figures as people read them: en-GB grouping, the report's currency, UTC times.

const integer = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const twoDecimals = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const oneDecimal = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const moneyFormats = new Map<string, Intl.NumberFormat>();
const money = (currency: string): Intl.NumberFormat => {
  let f = moneyFormats.get(currency);
  if (!f) {
    f = new Intl.NumberFormat('en-GB', { style: 'currency', currency });
    moneyFormats.set(currency, f);
  }
  return f;
};
const dateTime = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZone: 'UTC',
});

/** A whole number with thousands separators. */
export const formatInt = (n: number): string => integer.format(n);

/** Seconds as "45 s", "12 min", "3 h 05 min", "2 d 4 h". */
export const formatDuration = (s: number): string => {
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
};

/** "28 Nov, 04:38 UTC" */
export const formatDateTime = (iso: string): string => `${dateTime.format(new Date(iso))} UTC`;

/** A value of a column kind as text (no markup). */
export const formatValue = (kind: ColumnKind, value: CellValue, currency: string): string => {
  if (value === null) return kind === 'days' ? '∞' : '—';
  if (typeof value === 'string') return kind === 'datetime' ? formatDateTime(value) : value;
  switch (kind) {
    case 'money':
      return money(currency).format(value / 100);
    case 'decimal':
      return twoDecimals.format(value);
    case 'days':
      return oneDecimal.format(value);
    case 'duration':
      return formatDuration(value);
    case 'km':
      return `${oneDecimal.format(value)} km`;
    default:
      return integer.format(value);
  }
};

const wholeMoneyFormats = new Map<string, Intl.NumberFormat>();

/** A key figure: like a cell, but large amounts of money without cents so that they fit a card. */
export const formatKpi = (kind: ColumnKind, value: CellValue, currency: string): string => {
  if (kind !== 'money' || typeof value !== 'number' || Math.abs(value) < 100_000)
    return formatValue(kind, value, currency);
  let f = wholeMoneyFormats.get(currency);
  if (!f) {
    f = new Intl.NumberFormat('en-GB', { style: 'currency', currency, maximumFractionDigits: 0 });
    wholeMoneyFormats.set(currency, f);
  }
  return f.format(value / 100);
};

/** A value as markup: times in <time>, statuses as badges. */
export const formatCell = (kind: ColumnKind, value: CellValue, currency: string): SafeHtml => {
  const text = formatValue(kind, value, currency);
  if (kind === 'datetime' && typeof value === 'string') return html`<time datetime="${value}">${text}</time>`;
  if (kind === 'status' && typeof value === 'string') return html`<span class="badge badge-${value}">${text}</span>`;
  if (kind === 'days' && value === null) return html`<span title="nothing sold: lasts forever">∞</span>`;
  return html`${text}`;
};
