// One model per report, rendered three ways: an HTML page, JSON, and CSV per table. Pages and
// exports are built from the same rows, so a CSV always matches the table on screen.

/**
 * How a column's values are stored and shown:
 * - `int`, `decimal`: numbers; `money`: minor units (cents) of the report's currency;
 * - `days`: days of cover, null meaning "no sales: lasts forever";
 * - `duration`: seconds; `datetime`: ISO 8601 UTC; `status`, `text`: strings.
 */
export type ColumnKind = 'text' | 'int' | 'decimal' | 'money' | 'days' | 'duration' | 'datetime' | 'status' | 'km';

export type CellValue = string | number | null;
export type Row = Readonly<Record<string, CellValue>>;

/** A table column: where its values are in a row, its header and how to show them. */
export interface Column {
  readonly key: string;
  readonly label: string;
  readonly kind: ColumnKind;
  /** What the figure means, shown as the header's tooltip. */
  readonly help?: string;
  /** A link for the cell (e.g. to the SKU drill-down), if any. */
  readonly href?: (row: Row) => string | undefined;
}

/** How alarming a figure or row is. */
export type Tone = 'bad' | 'warn' | 'good';

/** A table of a report, shown on the page and exported as CSV. */
export interface ReportTable {
  readonly id: string;
  readonly title: string;
  readonly description?: string;
  readonly columns: readonly Column[];
  readonly rows: readonly Row[];
  /** Shown instead of the table when there are no rows. */
  readonly empty: string;
  /** Highlights a row (e.g. an offline store). */
  readonly tone?: (row: Row) => Tone | undefined;
}

/** A key figure shown as a card at the top of a page. */
export interface Kpi {
  readonly id: string;
  readonly label: string;
  readonly value: number | null;
  readonly kind: ColumnKind;
  readonly tone?: Tone | undefined;
  readonly hint?: string;
}

/**
 * A count of things that should not happen (stockouts, dead letters, offline stores): zero is
 * toned `good` rather than left plain, so that a manager sees an all-clear, not a missing alarm.
 */
export const countKpi = (id: string, label: string, value: number, alarm: 'bad' | 'warn', hint?: string): Kpi => ({
  id,
  label,
  value,
  kind: 'int',
  tone: value > 0 ? alarm : 'good',
  ...(hint === undefined ? {} : { hint }),
});

/** A chart drawn by uPlot in the browser: x in unix seconds, one series per line. */
export interface Chart {
  readonly id: string;
  readonly title: string;
  /** Text alternative: what the chart shows and where the same numbers are as a table. */
  readonly description: string;
  readonly style: 'line' | 'step' | 'bars';
  readonly yLabel: string;
  readonly yKind: 'int' | 'money';
  readonly x: readonly number[];
  readonly series: readonly { readonly label: string; readonly values: readonly (number | null)[] }[];
}

/** The building blocks of a page, in the order they are shown. */
export type Section =
  | { readonly kind: 'kpis'; readonly items: readonly Kpi[] }
  | { readonly kind: 'chart'; readonly chart: Chart }
  | { readonly kind: 'table'; readonly table: ReportTable }
  | {
      readonly kind: 'note';
      readonly id: string;
      readonly title?: string;
      readonly text: string;
      readonly tone?: Tone;
    };

/** A field of a page's filter form (a GET form: filters are query parameters). */
export interface FilterField {
  readonly name: string;
  readonly label: string;
  readonly kind: 'select' | 'number' | 'search';
  readonly value: string;
  /** For selects: value and label; an empty value means "all". */
  readonly options?: readonly { readonly value: string; readonly label: string }[];
  readonly min?: number;
  readonly max?: number;
  readonly placeholder?: string;
}

export type ReportId = 'overview' | 'stores' | 'sku' | 'replenishment' | 'incidents';

/** Everything one page shows, independent of HTML, JSON or CSV. */
export interface Report {
  readonly id: ReportId;
  readonly title: string;
  readonly intro: string;
  /** When the figures were read (hub clock), ISO. */
  readonly asOf: string;
  readonly today: string;
  /** Last stream sequence applied to the views the figures come from. */
  readonly checkpoint: number;
  readonly currency: string;
  readonly filters: readonly FilterField[];
  /** The filter values in effect, as query parameters (for CSV links and live refreshes). */
  readonly query: Readonly<Record<string, string>>;
  readonly sections: readonly Section[];
}

/** The tables of a report, in page order. */
export const tablesOf = (report: Report): ReportTable[] =>
  report.sections.flatMap((s) => (s.kind === 'table' ? [s.table] : []));

/** CSV header of a column: its label with the unit the CSV value is in. */
export const csvHeader = (column: Column, currency: string): string => {
  switch (column.kind) {
    case 'money':
      return `${column.label} (${currency})`;
    case 'duration':
      return `${column.label} (s)`;
    case 'km':
      return `${column.label} (km)`;
    default:
      return column.label;
  }
};

/** A cell as CSV (and as the `data-value` of its table cell): plain numbers, ISO times, empty for none. */
export const csvValue = (column: Column, value: CellValue): string => {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  switch (column.kind) {
    case 'money':
      return (value / 100).toFixed(2);
    case 'decimal':
    case 'days':
    case 'km':
      return String(Math.round(value * 100) / 100);
    default:
      return String(value);
  }
};

/** Quotes a CSV field when it holds a comma, quote, CR or LF (RFC 4180), doubling inner quotes. */
export const csvField = (text: string): string => (/[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

/** Leading characters a spreadsheet would run as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A table as RFC 4180 CSV with CRLF line ends. Text cells that a spreadsheet would evaluate as a
 * formula (=, +, -, @) get a leading apostrophe; numbers are left alone.
 */
export const toCsv = (table: ReportTable, currency: string): string => {
  const lines = [table.columns.map((c) => csvField(csvHeader(c, currency))).join(',')];
  for (const row of table.rows)
    lines.push(
      table.columns
        .map((c) => {
          const value = row[c.key] ?? null;
          const text = csvValue(c, value);
          return csvField(typeof value === 'string' && FORMULA_START.test(text) ? `'${text}` : text);
        })
        .join(','),
    );
  return `${lines.join('\r\n')}\r\n`;
};

/** The JSON form of a report: tables as arrays of row objects, charts as their data. */
export const toJson = (report: Report) => ({
  report: report.id,
  title: report.title,
  asOf: report.asOf,
  today: report.today,
  checkpoint: report.checkpoint,
  currency: report.currency,
  filters: report.query,
  kpis: Object.fromEntries(
    report.sections.flatMap((s) => (s.kind === 'kpis' ? s.items.map((k) => [k.id, k.value] as const) : [])),
  ),
  tables: Object.fromEntries(
    tablesOf(report).map((t) => [
      t.id,
      {
        title: t.title,
        columns: t.columns.map((c) => ({
          key: c.key,
          label: c.label,
          kind: c.kind,
          ...(c.help ? { help: c.help } : {}),
        })),
        rows: t.rows,
      },
    ]),
  ),
  charts: Object.fromEntries(
    report.sections.flatMap((s) =>
      s.kind === 'chart' ? [[s.chart.id, { title: s.chart.title, x: s.chart.x, series: s.chart.series }] as const] : [],
    ),
  ),
  notes: report.sections.flatMap((s) => (s.kind === 'note' ? [{ id: s.id, text: s.text }] : [])),
});
