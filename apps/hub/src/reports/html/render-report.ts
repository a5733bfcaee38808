import { REPORTS_API, REPORTS_ASSETS, REPORTS_BASE } from '../paths.js';
import {
  type Chart,
  csvValue,
  type FilterField,
  type Kpi,
  type Report,
  type ReportId,
  type ReportTable,
  type Section,
} from '../report-model.js';
import { formatCell, formatDateTime, formatInt, formatKpi } from './format.js';
import { html, jsonForScript, type SafeHtml } from './html.js';

/** Rows rendered per table at most (the CSV export always has all of them). */
export const MAX_TABLE_ROWS = 1000;

const PAGES: readonly { id: ReportId; path: string; label: string }[] = [
  { id: 'overview', path: `${REPORTS_BASE}/overview`, label: 'Network overview' },
  { id: 'stores', path: `${REPORTS_BASE}/stores`, label: 'Store health' },
  { id: 'sku', path: `${REPORTS_BASE}/sku`, label: 'SKU drill-down' },
  { id: 'replenishment', path: `${REPORTS_BASE}/replenishment`, label: 'Low stock' },
  { id: 'incidents', path: `${REPORTS_BASE}/incidents`, label: 'Incidents' },
];

/** Path of a report's page. */
export const pagePath = (id: ReportId): string => PAGES.find((p) => p.id === id)?.path ?? REPORTS_BASE;

const withQuery = (path: string, query: Readonly<Record<string, string>>): string => {
  const qs = new URLSearchParams(query).toString();
  return qs ? `${path}?${qs}` : path;
};

/** The document around a page body: head, skip link, header with navigation, main. */
export const layout = (options: {
  readonly title: string;
  readonly body: SafeHtml;
  readonly current?: ReportId;
  /** Carried over to the other pages' links (the region a manager looks at). */
  readonly region?: string | undefined;
  readonly signedIn: boolean;
  /** Which changes refresh the page without a reload: projected events, node heartbeats. */
  readonly live?: 'events' | 'events nodes';
}): SafeHtml => html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · Stocknerve reports</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${REPORTS_ASSETS}/uPlot.min.css">
<link rel="stylesheet" href="${REPORTS_ASSETS}/reports.css">
<script src="${REPORTS_ASSETS}/uPlot.iife.min.js" defer></script>
<script src="${REPORTS_ASSETS}/reports.js" defer></script>
</head>
<body${options.live ? html` data-live="${options.live}" data-stream="${REPORTS_API}/stream"` : ''}>
<a class="skip-link" href="#main">Skip to main content</a>
<header class="masthead">
  <div class="brand"><span class="brand-mark" aria-hidden="true">◆</span> Stocknerve <span class="brand-sub">Regional reports</span></div>
  ${
    options.signedIn
      ? html`<nav class="main-nav" aria-label="Reports">
    <ul>${PAGES.map(
      (p) =>
        html`<li><a href="${withQuery(p.path, options.region ? { region: options.region } : {})}"${p.id === options.current ? html` aria-current="page"` : ''}>${p.label}</a></li>`,
    )}</ul>
  </nav>
  <div class="session">
    <span class="live-status" data-state="connecting"><span class="live-dot" aria-hidden="true"></span><span class="live-text" role="status">Connecting…</span></span>
    <form method="post" action="${REPORTS_BASE}/logout"><button type="submit" class="link-button">Sign out</button></form>
  </div>`
      : ''
  }
</header>
<main id="main" tabindex="-1">
${options.body}
</main>
</body>
</html>
`;

const filterForm = (report: Report): SafeHtml => {
  if (report.filters.length === 0) return html``;
  const field = (f: FilterField) => {
    const id = `filter-${f.name}`;
    if (f.kind === 'select')
      return html`<div class="field"><label for="${id}">${f.label}</label><select id="${id}" name="${f.name}">${(
        f.options ?? []
      ).map(
        (o) => html`<option value="${o.value}"${o.value === f.value ? html` selected` : ''}>${o.label}</option>`,
      )}</select></div>`;
    if (f.kind === 'number')
      return html`<div class="field"><label for="${id}">${f.label}</label><input id="${id}" name="${f.name}" type="number" inputmode="numeric" value="${f.value}"${f.min === undefined ? '' : html` min="${f.min}"`}${f.max === undefined ? '' : html` max="${f.max}"`}></div>`;
    return html`<div class="field field-wide"><label for="${id}">${f.label}</label><input id="${id}" name="${f.name}" type="search" value="${f.value}" placeholder="${f.placeholder ?? ''}" autocomplete="off"></div>`;
  };
  return html`<form class="filters" method="get" action="${pagePath(report.id)}" role="search" aria-label="Filters">
  ${report.filters.map(field)}
  <div class="field field-actions"><button type="submit" class="button">Apply</button>${
    Object.keys(report.query).length > 0 ? html`<a class="reset-link" href="${pagePath(report.id)}">Reset</a>` : ''
  }</div>
</form>`;
};

const kpis = (items: readonly Kpi[], currency: string): SafeHtml => html`<section class="kpis" aria-label="Key figures">
  <ul class="kpi-list">${items.map(
    (k) =>
      html`<li class="kpi${k.tone ? ` tone-${k.tone}` : ''}" data-kpi="${k.id}" data-value="${
        k.value === null ? '' : csvValue({ key: k.id, label: k.label, kind: k.kind }, k.value)
      }"><span class="kpi-label">${k.label}</span><span class="kpi-value">${formatKpi(k.kind, k.value, currency)}</span>${
        k.hint ? html`<span class="kpi-hint">${k.hint}</span>` : ''
      }</li>`,
  )}</ul>
</section>`;

const chart = (
  c: Chart,
): SafeHtml => html`<section class="report-section chart-section" aria-labelledby="chart-${c.id}-title">
  <h2 id="chart-${c.id}-title">${c.title}</h2>
  <figure class="chart" data-chart="${c.id}">
    <div class="chart-canvas" role="img" aria-label="${c.description}"></div>
    <figcaption class="visually-hidden">${c.description}</figcaption>
    <script type="application/json" class="chart-data">${jsonForScript({
      style: c.style,
      yLabel: c.yLabel,
      yKind: c.yKind,
      x: c.x,
      series: c.series,
    })}</script>
  </figure>
  ${c.series.length === 0 ? html`<p class="empty">Nothing to chart.</p>` : ''}
</section>`;

const table = (report: Report, t: ReportTable): SafeHtml => {
  const titleId = `table-${t.id}-title`;
  const shown = t.rows.slice(0, MAX_TABLE_ROWS);
  const csvHref = withQuery(`${REPORTS_API}/${report.id}.csv`, { ...report.query, table: t.id });
  const helped = t.columns.filter((c) => c.help);
  return html`<section class="report-section" aria-labelledby="${titleId}">
  <div class="section-head">
    <h2 id="${titleId}">${t.title} <span class="row-count">${formatInt(t.rows.length)} ${t.rows.length === 1 ? 'row' : 'rows'}</span></h2>
    <a class="csv-link" href="${csvHref}" download>Download CSV<span class="visually-hidden">: ${t.title}</span></a>
  </div>
  ${t.description ? html`<p class="section-desc">${t.description}</p>` : ''}
  ${
    t.rows.length === 0
      ? html`<p class="empty">${t.empty}</p>`
      : html`<div class="table-wrap" role="region" aria-labelledby="${titleId}" tabindex="0">
  <table class="report-table" id="table-${t.id}" data-table="${t.id}">
    <thead><tr>${t.columns.map(
      (c) =>
        html`<th scope="col" data-key="${c.key}" data-kind="${c.kind}" aria-sort="none"${c.kind === 'text' || c.kind === 'status' || c.kind === 'datetime' ? '' : html` class="num"`}><button type="button" class="sort-button">${c.label}<span class="sort-icon" aria-hidden="true"></span></button></th>`,
    )}</tr></thead>
    <tbody>${shown.map((row) => {
      const tone = t.tone?.(row);
      return html`<tr${tone ? html` class="tone-${tone}"` : ''}>${t.columns.map((c) => {
        const value = row[c.key] ?? null;
        const href = c.href?.(row);
        const content = formatCell(c.kind, value, report.currency);
        const numeric = c.kind !== 'text' && c.kind !== 'status' && c.kind !== 'datetime';
        // Identifiers (no spaces) stay on one line instead of breaking at their hyphens.
        const cls = numeric ? 'num' : typeof value === 'string' && !/\s/.test(value) ? 'nowrap' : '';
        return html`<td data-value="${csvValue(c, value)}"${c.kind === 'days' && value === null ? html` data-sort="Infinity"` : ''}${cls ? html` class="${cls}"` : ''}>${href ? html`<a href="${href}">${content}</a>` : content}</td>`;
      })}</tr>`;
    })}</tbody>
  </table>
</div>
${
  t.rows.length > shown.length
    ? html`<p class="section-desc">Showing the first ${formatInt(shown.length)} of ${formatInt(t.rows.length)} rows; the CSV has all of them.</p>`
    : ''
}`
  }
  ${
    helped.length > 0
      ? html`<details class="column-help"><summary>About these columns</summary><dl>${helped.map(
          (c) => html`<dt>${c.label}</dt><dd>${c.help ?? ''}</dd>`,
        )}</dl></details>`
      : ''
  }
</section>`;
};

const section = (report: Report, s: Section): SafeHtml => {
  switch (s.kind) {
    case 'kpis':
      return kpis(s.items, report.currency);
    case 'chart':
      return chart(s.chart);
    case 'table':
      return table(report, s.table);
    case 'note':
      return html`<p class="note${s.tone ? ` tone-${s.tone}` : ''}" data-note="${s.id}">${s.text}</p>`;
    default: {
      const unknown: never = s;
      throw new Error(`unknown section ${JSON.stringify(unknown)}`);
    }
  }
};

/** The part of a page that live updates replace: everything computed from the views. */
export const liveContent = (
  report: Report,
): SafeHtml => html`<div id="live-root" data-checkpoint="${report.checkpoint}">
  <p class="as-of">Figures as of <time datetime="${report.asOf}" data-as-of>${formatDateTime(report.asOf)}</time> · today is ${report.today} (UTC) · views at stream seq ${formatInt(report.checkpoint)}</p>
  ${report.sections.map((s) => section(report, s))}
</div>`;

/** A whole report page. */
export const renderReportPage = (report: Report): string =>
  layout({
    title: report.title,
    current: report.id,
    region: report.query.region,
    signedIn: true,
    live: report.id === 'stores' ? 'events nodes' : 'events',
    body: html`<div class="page-head">
  <h1>${report.title}</h1>
  <p class="intro">${report.intro}</p>
</div>
${filterForm(report)}
${liveContent(report)}`,
  }).text;
