import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Role } from '../config.js';
import { requestContextOf } from '../http/request-context.js';
import type { HubContext } from '../hub-context.js';
import { loginPage, messagePage } from './html/auth-pages.js';
import { liveContent, pagePath, renderReportPage } from './html/render-report.js';
import { incidentsReport } from './incidents-report.js';
import { liveUpdates } from './live-updates.js';
import { overviewReport } from './overview-report.js';
import { REPORTS_API, REPORTS_ASSETS, REPORTS_BASE } from './paths.js';
import { replenishmentReport } from './replenishment-report.js';
import type { ReportContext } from './report-context.js';
import { snapshotSource } from './report-data.js';
import { parseReportQuery, type ReportQuery } from './report-filters.js';
import { type Report, type ReportId, tablesOf, toCsv, toJson } from './report-model.js';
import { type ReportsAuthenticator, reportsAuthenticator } from './reports-auth.js';
import { skuReport } from './sku-report.js';
import { storeHealthReport } from './store-health-report.js';

const BUILDERS: Readonly<Record<ReportId, (rc: ReportContext, q: ReportQuery) => Report | Promise<Report>>> = {
  overview: overviewReport,
  stores: storeHealthReport,
  sku: skuReport,
  replenishment: replenishmentReport,
  incidents: incidentsReport,
};

/** Header a page sends when it refetches its live part after a `changed` event. */
const LIVE_FRAGMENT_HEADER = 'x-reports-fragment';

// Beside src/ and dist/, so that the same path serves them from either.
const ASSETS_DIR = fileURLToPath(new URL('../../assets/reports/', import.meta.url));
const UPLOT_DIST = dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'));

/**
 * Pages are same-origin only: scripts and styles from /reports/assets, data fetched from
 * /reports/api, no framing. uPlot styles its elements through the CSSOM, which CSP allows.
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const pageHeaders = (res: Response) =>
  res.set({
    'Cache-Control': 'no-store',
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'same-origin',
    'X-Frame-Options': 'DENY',
  });

/** Only a path inside the reports may be a post-login destination (no open redirect). */
const safeNext = (next: unknown): string =>
  typeof next === 'string' && next.startsWith(`${REPORTS_BASE}/`) && !next.startsWith('//') && !next.includes('\\')
    ? next
    : `${REPORTS_BASE}/overview`;

/** Records the caller's role for the request log, as the API's router does. */
const noteRole = (req: Request, role: Role | undefined) => {
  const rc = requestContextOf(req);
  if (rc) rc.role = role;
};

/** Pages: `?token=` signs in (cookie, then a redirect that drops it from the URL); else cookie or bearer; else the sign-in form. */
const pageGate =
  (auth: ReportsAuthenticator): RequestHandler =>
  (req, res, next) => {
    pageHeaders(res);
    const url = new URL(req.originalUrl, 'http://reports.invalid');
    const given = url.searchParams.get('token');
    if (given !== null) {
      url.searchParams.delete('token');
      const target = `${url.pathname}${url.search}`;
      const checked = auth.check(given);
      res.set('Referrer-Policy', 'no-referrer');
      if (checked.ok) {
        auth.startSession(req, res, given);
        res.redirect(303, target);
        return;
      }
      if (checked.status === 403) {
        res
          .status(403)
          .type('html')
          .send(messagePage({ title: 'Not allowed', message: checked.body.message, signIn: true }));
        return;
      }
      res
        .status(401)
        .type('html')
        .send(loginPage({ next: target, error: 'That token is not recognised.' }));
      return;
    }
    const checked = auth.fromRequest(req);
    if (checked.ok) {
      noteRole(req, checked.role);
      next();
      return;
    }
    if (checked.status === 403) {
      noteRole(req, checked.role);
      res
        .status(403)
        .type('html')
        .send(messagePage({ title: 'Not allowed', message: checked.body.message, signIn: true }));
      return;
    }
    const hadSession = auth.hasCookie(req);
    if (hadSession) auth.endSession(req, res);
    res
      .status(401)
      .type('html')
      .send(
        loginPage({
          next: safeNext(req.originalUrl),
          ...(hadSession ? { error: 'Your session has ended: please sign in again.' } : {}),
        }),
      );
  };

/** JSON and CSV: bearer header or session cookie; 401/403 as JSON like the rest of the API. */
const apiGate =
  (auth: ReportsAuthenticator): RequestHandler =>
  (req, res, next) => {
    res.set('Cache-Control', 'no-store');
    const checked = auth.fromRequest(req);
    noteRole(req, checked.role);
    if (checked.ok) {
      next();
      return;
    }
    if (checked.status === 401) res.set('WWW-Authenticate', 'Bearer realm="stocknerve"');
    res.status(checked.status).json(checked.body);
  };

const csvFileName = (report: Report, table: string) => `${report.id}-${table}-${report.today}.csv`;

/**
 * The regional manager's reports, served by the hub: pages under /reports (server-rendered HTML,
 * uPlot charts, live refresh over server-sent events) and their JSON and CSV under /reports/api.
 * Mount it on the hub's app before the 404 handler: `app.use(reportsRouter(ctx))`.
 */
export const reportsRouter = (ctx: HubContext): express.Router => {
  const router = express.Router();
  const auth = reportsAuthenticator(ctx.config.tokens);
  const rc: ReportContext = { hub: ctx, snapshot: snapshotSource(ctx) };

  // Public assets: the uPlot build straight from node_modules, and the page's own script and styles.
  router.get(`${REPORTS_ASSETS}/uPlot.iife.min.js`, (_req, res) => {
    res.sendFile('uPlot.iife.min.js', { root: UPLOT_DIST, maxAge: '1d' });
  });
  router.get(`${REPORTS_ASSETS}/uPlot.min.css`, (_req, res) => {
    res.sendFile('uPlot.min.css', { root: UPLOT_DIST, maxAge: '1d' });
  });
  router.use(REPORTS_ASSETS, express.static(ASSETS_DIR, { index: false, maxAge: '1h' }));

  router.get([REPORTS_BASE, `${REPORTS_BASE}/`], (_req, res) => {
    res.redirect(302, `${REPORTS_BASE}/overview`);
  });
  router.get(`${REPORTS_BASE}/login`, (req, res) => {
    pageHeaders(res);
    if (auth.fromRequest(req).ok) {
      res.redirect(303, safeNext(req.query.next));
      return;
    }
    res.type('html').send(loginPage({ next: safeNext(req.query.next) }));
  });
  router.post(`${REPORTS_BASE}/login`, express.urlencoded({ extended: false, limit: '4kb' }), (req, res) => {
    pageHeaders(res);
    const body: Record<string, unknown> = typeof req.body === 'object' && req.body !== null ? req.body : {};
    const token = typeof body.token === 'string' ? body.token.trim() : '';
    const next = safeNext(body.next);
    const checked = auth.check(token === '' ? undefined : token);
    noteRole(req, checked.role);
    if (checked.ok) {
      auth.startSession(req, res, token);
      res.redirect(303, next);
      return;
    }
    if (checked.status === 403) {
      res
        .status(403)
        .type('html')
        .send(loginPage({ next, error: `${checked.body.message}. Use a manager or admin token.` }));
      return;
    }
    res
      .status(401)
      .type('html')
      .send(loginPage({ next, error: 'That token is not recognised.' }));
  });
  router.post(`${REPORTS_BASE}/logout`, (req, res) => {
    auth.endSession(req, res);
    res.redirect(303, `${REPORTS_BASE}/login`);
  });

  router.get(`${REPORTS_API}/stream`, apiGate(auth), liveUpdates(ctx));

  for (const [id, build] of Object.entries(BUILDERS) as [ReportId, (typeof BUILDERS)[ReportId]][]) {
    const api = async (req: Request, res: Response, csv: boolean) => {
      const parsed = parseReportQuery(req.query);
      if (!parsed.ok) {
        res.status(400).json({ error: 'invalid-request', message: parsed.message });
        return;
      }
      const report = await build(rc, parsed.query);
      if (!csv && parsed.query.format !== 'csv') {
        res.json(toJson(report));
        return;
      }
      const tables = tablesOf(report);
      const wanted = parsed.query.table ?? (tables.length === 1 ? tables[0]?.id : undefined);
      const table = tables.find((t) => t.id === wanted);
      if (!table) {
        res.status(wanted === undefined ? 400 : 404).json({
          error: wanted === undefined ? 'invalid-request' : 'not-found',
          message: `${wanted === undefined ? 'say which table' : `no table ${wanted}`}: ?table=${tables.map((t) => t.id).join('|')}`,
        });
        return;
      }
      res
        .type('text/csv; charset=utf-8')
        .set('Content-Disposition', `attachment; filename="${csvFileName(report, table.id)}"`)
        // A byte order mark so that spreadsheet programs read the file as UTF-8.
        .send(`\uFEFF${toCsv(table, report.currency)}`);
    };
    router.get(`${REPORTS_API}/${id}`, apiGate(auth), (req, res) => api(req, res, false));
    router.get(`${REPORTS_API}/${id}.csv`, apiGate(auth), (req, res) => api(req, res, true));
    router.get(pagePath(id), pageGate(auth), async (req: Request, res: Response, next: NextFunction) => {
      const parsed = parseReportQuery(req.query);
      if (!parsed.ok) {
        res
          .status(400)
          .type('html')
          .send(messagePage({ title: 'Cannot show this page', message: parsed.message }));
        return;
      }
      try {
        const report = await build(rc, parsed.query);
        res.type('html').send(req.get(LIVE_FRAGMENT_HEADER) ? liveContent(report).text : renderReportPage(report));
      } catch (error) {
        next(error);
      }
    });
  }
  return router;
};
