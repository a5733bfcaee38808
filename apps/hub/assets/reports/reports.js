// Stocknerve regional reports: the small script behind every page (no build step).
// - sortable tables: header buttons sort by each cell's data-value, the choice survives refreshes;
// - charts: uPlot (global `uPlot` from uPlot.iife.min.js) from the JSON inside each <figure>;
// - live updates: an EventSource on /reports/api/stream says when the views changed; the page then
//   refetches its #live-root fragment and swaps it in place, keeping focus, sort order and scroll.
(() => {
  const PALETTE = [
    '#1f6fd1',
    '#d1495b',
    '#2a9d8f',
    '#e09f3e',
    '#6a4c93',
    '#3d5a80',
    '#7a9e3f',
    '#c05299',
    '#00798c',
    '#9c6644',
    '#577590',
    '#e76f51',
    '#4d908e',
    '#8d99ae',
    '#b5179e',
  ];
  /** Least time between two refreshes, ms: a busy hub batches every few ms, people read slower. */
  const MIN_REFRESH_MS = 2000;
  const CHART_HEIGHT = 300;

  const sortState = new Map();
  const charts = [];
  const intFormat = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
  const compactFormat = new Intl.NumberFormat('en-GB', { notation: 'compact', maximumFractionDigits: 1 });
  const dateFormat = new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: 'UTC',
  });
  const dayFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });

  // ---- Sortable tables ----------------------------------------------------------------------

  const NUMERIC = new Set(['int', 'decimal', 'money', 'days', 'duration', 'km']);

  const sortKey = (cell) => (cell ? (cell.dataset.sort ?? cell.dataset.value ?? '') : '');

  const sortTable = (table, key, direction) => {
    const header = table.querySelector(`th[data-key="${CSS.escape(key)}"]`);
    const body = table.tBodies[0];
    if (!header || !body) return;
    const index = header.cellIndex;
    const numeric = NUMERIC.has(header.dataset.kind ?? '');
    const sign = direction === 'ascending' ? 1 : -1;
    const rows = Array.from(body.rows).map((row, position) => ({ row, position, raw: sortKey(row.cells[index]) }));
    rows.sort((a, b) => {
      if (numeric) {
        const x = a.raw === '' ? Number.NaN : Number(a.raw);
        const y = b.raw === '' ? Number.NaN : Number(b.raw);
        // Cells without a value go last whatever the direction.
        if (Number.isNaN(x) || Number.isNaN(y)) {
          if (Number.isNaN(x) && Number.isNaN(y)) return a.position - b.position;
          return Number.isNaN(x) ? 1 : -1;
        }
        return (x - y) * sign || a.position - b.position;
      }
      return a.raw.localeCompare(b.raw, 'en', { numeric: true }) * sign || a.position - b.position;
    });
    for (const { row } of rows) body.appendChild(row);
    for (const th of table.tHead?.rows[0]?.cells ?? [])
      th.setAttribute('aria-sort', th === header ? direction : 'none');
  };

  const initTables = (root) => {
    for (const table of root.querySelectorAll('table.report-table')) {
      const id = table.dataset.table ?? '';
      const saved = sortState.get(id);
      if (saved) sortTable(table, saved.key, saved.direction);
      table.tHead?.addEventListener('click', (event) => {
        const button = event.target instanceof Element ? event.target.closest('.sort-button') : null;
        const th = button?.closest('th');
        if (!th) return;
        const key = th.dataset.key ?? '';
        const current = th.getAttribute('aria-sort');
        const first = NUMERIC.has(th.dataset.kind ?? '') ? 'descending' : 'ascending';
        const direction =
          current === 'none' || current === null ? first : current === 'ascending' ? 'descending' : 'ascending';
        sortTable(table, key, direction);
        sortState.set(id, { key, direction });
      });
    }
  };

  // ---- Charts ------------------------------------------------------------------------------

  const formatY = (kind, value) => {
    if (value === null || value === undefined) return '—';
    return kind === 'money' ? intFormat.format(value / 100) : intFormat.format(value);
  };

  const buildChart = (figure) => {
    const canvas = figure.querySelector('.chart-canvas');
    const script = figure.querySelector('script.chart-data');
    if (!canvas || !script || typeof uPlot === 'undefined') return;
    const spec = JSON.parse(script.textContent ?? '{}');
    if (!spec.series || spec.series.length === 0) return;
    const style = spec.style;
    const daily = style === 'bars' || spec.x.length <= 40;
    const paths =
      style === 'step'
        ? uPlot.paths.stepped({ align: 1 })
        : style === 'bars'
          ? uPlot.paths.bars({ size: [0.7, 48] })
          : undefined;
    const options = {
      width: Math.max(320, figure.clientWidth),
      height: CHART_HEIGHT,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      scales: { x: { time: true } },
      cursor: { focus: { prox: 24 } },
      focus: { alpha: 0.35 },
      legend: { live: true },
      series: [
        {
          label: daily ? 'Day (UTC)' : 'Time (UTC)',
          value: (_u, v) => (v === null ? '—' : (daily ? dayFormat : dateFormat).format(new Date(v * 1000))),
        },
        ...spec.series.map((s, i) => {
          const colour = PALETTE[i % PALETTE.length];
          return {
            label: s.label,
            stroke: colour,
            width: style === 'bars' ? 1 : 2,
            fill: style === 'bars' ? `${colour}bb` : undefined,
            paths,
            points: { show: style === 'line' && spec.x.length <= 40, size: 5 },
            value: (_u, v) => formatY(spec.yKind, v),
          };
        }),
      ],
      axes: [
        {
          stroke: '#4d5a6a',
          grid: { stroke: '#e6eaef' },
          ticks: { stroke: '#dde3ea' },
          values: (u, splits) => {
            const span = (u.scales.x.max ?? 0) - (u.scales.x.min ?? 0);
            const format = span > 3 * 86400 ? dayFormat : dateFormat;
            return splits.map((ts) => format.format(new Date(ts * 1000)));
          },
        },
        {
          label: spec.yLabel,
          stroke: '#4d5a6a',
          size: 64,
          grid: { stroke: '#e6eaef' },
          ticks: { stroke: '#dde3ea' },
          values: (_u, values) => values.map((v) => compactFormat.format(spec.yKind === 'money' ? v / 100 : v)),
        },
      ],
    };
    const data = [spec.x, ...spec.series.map((s) => s.values)];
    canvas.textContent = '';
    const chart = new uPlot(options, data, canvas);
    charts.push({ chart, figure });
  };

  const initCharts = (root) => {
    for (const figure of root.querySelectorAll('figure.chart')) buildChart(figure);
  };

  const destroyCharts = () => {
    for (const { chart } of charts.splice(0)) chart.destroy();
  };

  const resizeCharts = (width) => {
    for (const { chart, figure } of charts)
      chart.setSize({ width: Math.max(320, width ?? figure.clientWidth), height: CHART_HEIGHT });
  };

  let resizeTimer;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => resizeCharts(), 150);
  });
  // A landscape A4 page is about 1000 CSS px wide: charts are redrawn to fit it while printing.
  window.addEventListener('beforeprint', () => resizeCharts(1000));
  window.addEventListener('afterprint', () => resizeCharts());

  // ---- Live updates ------------------------------------------------------------------------

  const body = document.body;
  const status = document.querySelector('.live-status');
  const statusText = status?.querySelector('.live-text');
  const setStatus = (state, text) => {
    if (!status || !statusText) return;
    if (status.dataset.state !== state) {
      status.dataset.state = state;
      statusText.textContent = text;
    }
  };

  /** Where focus was inside the live part, described so that it can be found again after a swap. */
  const focusMarker = (root) => {
    const active = document.activeElement;
    if (!active || !root.contains(active)) return null;
    const th = active.closest('th[data-key]');
    const table = active.closest('table[data-table]');
    if (th && table) return `table[data-table="${table.dataset.table}"] th[data-key="${th.dataset.key}"] .sort-button`;
    if (active.id) return `#${CSS.escape(active.id)}`;
    const labelled = active.getAttribute('aria-labelledby');
    if (labelled) return `[aria-labelledby="${labelled}"]`;
    if (active instanceof HTMLAnchorElement) return `a[href="${CSS.escape(active.getAttribute('href') ?? '')}"]`;
    return null;
  };

  let refreshing = false;
  let pending = false;
  let lastRefresh = 0;
  let refreshes = 0;

  const refresh = async () => {
    if (refreshing) {
      pending = true;
      return;
    }
    const wait = lastRefresh + MIN_REFRESH_MS - Date.now();
    if (wait > 0) {
      pending = true;
      setTimeout(() => {
        if (pending && !refreshing) {
          pending = false;
          refresh();
        }
      }, wait);
      return;
    }
    refreshing = true;
    lastRefresh = Date.now();
    try {
      const response = await fetch(window.location.href, {
        headers: { 'X-Reports-Fragment': '1' },
        credentials: 'same-origin',
        cache: 'no-store',
      });
      if (response.status === 401 || response.status === 403) {
        window.location.reload();
        return;
      }
      if (!response.ok) return;
      const text = await response.text();
      const next = new DOMParser().parseFromString(text, 'text/html').getElementById('live-root');
      const current = document.getElementById('live-root');
      if (!next || !current) return;
      const marker = focusMarker(current);
      const scroll = Array.from(current.querySelectorAll('.table-wrap')).map((w) => [w.scrollTop, w.scrollLeft]);
      destroyCharts();
      current.replaceWith(next);
      initTables(next);
      initCharts(next);
      next.querySelectorAll('.table-wrap').forEach((w, i) => {
        const [top, left] = scroll[i] ?? [0, 0];
        w.scrollTop = top;
        w.scrollLeft = left;
      });
      if (marker) next.querySelector(marker)?.focus({ preventScroll: true });
      refreshes++;
      body.dataset.refreshes = String(refreshes);
      if (status) {
        status.title = `Updated ${new Date().toLocaleTimeString('en-GB')}`;
        status.classList.remove('flash');
        void status.offsetWidth;
        status.classList.add('flash');
      }
    } catch {
      // The stream reconnects by itself; the next change retries.
    } finally {
      refreshing = false;
      if (pending) {
        pending = false;
        refresh();
      }
    }
  };

  const startLive = () => {
    const url = body.dataset.stream;
    const wants = (body.dataset.live ?? '').split(' ');
    if (!url || typeof EventSource === 'undefined') return;
    const source = new EventSource(url);
    source.addEventListener('open', () => setStatus('live', 'Live'));
    source.addEventListener('hello', () => setStatus('live', 'Live'));
    source.addEventListener('error', () => setStatus('reconnecting', 'Reconnecting…'));
    source.addEventListener('changed', (event) => {
      setStatus('live', 'Live');
      const change = JSON.parse(event.data);
      if ((change.events && wants.includes('events')) || (change.nodes && wants.includes('nodes'))) refresh();
    });
    source.addEventListener('tick', () => {
      if (wants.includes('nodes')) refresh();
    });
  };

  const start = () => {
    const root = document.getElementById('live-root');
    if (root) {
      initTables(root);
      initCharts(root);
    }
    startLive();
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
