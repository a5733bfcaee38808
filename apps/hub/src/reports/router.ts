import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { HttpGate } from '../http/gate.js';
import { requestContextOf } from '../http/request-context.js';
import type { HubContext } from '../hub-context.js';
import type { Principal } from '../tokens/token-registry.js';
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
import { type ReportsAuth, type ReportsAuthenticator, reportsAuthenticator } from './reports-auth.js';
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

/** Records who is calling for the request log, as the API's router does. */
const noteCaller = (req: Request, checked: ReportsAuth) => {
  const rc = requestContextOf(req);
  if (!rc) return;
  const principal: Principal | undefined = checked.ok ? checked.principal : undefined;
  rc.principal = principal;
  rc.role = principal?.role ?? (checked.ok ? undefined : checked.role);
};

/** The client's address, as the API's gate saw it. */
const ipOf = (req: Request, gate: HttpGate): string => requestContextOf(req)?.ip ?? gate.clientIp(req);

/** Asked to come back later: the reports' answer to a rate limit, as a page. */
const tooManyPage = (res: Response, checked: ReportsAuth & { ok: false }) => {
  res
    .status(checked.status)
    .set(checked.headers ?? {})
    .type('html')
    .send(messagePage({ title: 'Too many attempts', message: checked.body.message, signIn: true }));
};

/**
 * Whether a form post comes from a page of this hub: its Origin (else Referer) names the host the
 * request was sent to (behind a trusted proxy, the forwarded host). A browser always sends one of
 * them with a form post; a page of another site cannot make them name this hub.
 */
const fromOwnPage = (req: Request): boolean => {
  const source = req.get('origin') ?? req.get('referer');
  if (source === undefined || source === 'null') return false;
  try {
    return new URL(source).host === req.host;
  } catch {
    return false;
  }
};

/** Refuses a state-changing form post from another site (CSRF), before its body is read. */
const ownPageOnly: RequestHandler = (req, res, next) => {
  if (fromOwnPage(req)) {
    next();
    return;
  }
  pageHeaders(res);
  res
    .status(403)
    .type('html')
    .send(
      messagePage({
        title: 'Refused',
        message:
          'This form was not sent from a page of this site (its Origin or Referer header names another site, or is missing). Sign in from the sign-in page.',
        signIn: true,
      }),
    );
};

/**
 * Pages: the session cookie or a bearer header; else the sign-in form. A token in the URL
 * (`?token=`, as older links had it) signs nobody in: the browser is sent to the sign-in form,
 * by a redirect that drops the token from its address bar and history.
 */
const pageGate =
  (auth: ReportsAuthenticator, gate: HttpGate): RequestHandler =>
  (req, res, next) => {
    pageHeaders(res);
    const url = new URL(req.originalUrl, 'http://reports.invalid');
    if (url.searchParams.has('token')) {
      url.searchParams.delete('token');
      res.set('Referrer-Policy', 'no-referrer');
      const login = new URLSearchParams({ next: safeNext(`${url.pathname}${url.search}`), reason: 'token-in-url' });
      res.redirect(303, `${REPORTS_BASE}/login?${login}`);
      return;
    }
    const checked = auth.fromRequest(req, ipOf(req, gate));
    noteCaller(req, checked);
    if (checked.ok) {
      next();
      return;
    }
    if (checked.status === 403) {
      res
        .status(403)
        .type('html')
        .send(messagePage({ title: 'Not allowed', message: checked.body.message, signIn: true }));
      return;
    }
    if (checked.status === 429) {
      tooManyPage(res, checked);
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

/** JSON and CSV: bearer header or session cookie; 401/403/429 as JSON like the rest of the API. */
const apiGate =
  (auth: ReportsAuthenticator, gate: HttpGate): RequestHandler =>
  (req, res, next) => {
    res.set('Cache-Control', 'no-store');
    const checked = auth.fromRequest(req, ipOf(req, gate));
    noteCaller(req, checked);
    if (checked.ok) {
      next();
      return;
    }
    if (checked.status === 401) res.set('WWW-Authenticate', 'Bearer realm="stocknerve"');
    res
      .status(checked.status)
      .set(checked.headers ?? {})
      .json(checked.body);
  };

const csvFileName = (report: Report, table: string) => `${report.id}-${table}-${report.today}.csv`;

/**
 * The regional manager's reports, served by the hub: pages under /reports (server-rendered HTML,
 * uPlot charts, live refresh over server-sent events) and their JSON and CSV under /reports/api.
 * Mount it on the hub's app before the 404 handler: `app.use(reportsRouter(ctx, gate))`.
 */
export const reportsRouter = (ctx: HubContext, gate: HttpGate): express.Router => {
  const router = express.Router();
  const auth = reportsAuthenticator(gate, ctx.now);
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
    if (auth.fromRequest(req, ipOf(req, gate)).ok) {
      res.redirect(303, safeNext(req.query.next));
      return;
    }
    const error =
      req.query.reason === 'token-in-url'
        ? 'Links with a token in them no longer sign in (the token would stay in the browser history): paste the token here.'
        : undefined;
    res.type('html').send(loginPage({ next: safeNext(req.query.next), ...(error ? { error } : {}) }));
  });
  router.post(
    `${REPORTS_BASE}/login`,
    ownPageOnly,
    express.urlencoded({ extended: false, limit: '4kb' }),
    (req, res) => {
      pageHeaders(res);
      const body: Record<string, unknown> = typeof req.body === 'object' && req.body !== null ? req.body : {};
      const token = typeof body.token === 'string' ? body.token.trim() : '';
      const next = safeNext(body.next);
      const checked = auth.checkToken(token, ipOf(req, gate));
      noteCaller(req, checked);
      if (checked.ok) {
        auth.startSession(req, res, checked.principal);
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
      if (checked.status === 429) {
        tooManyPage(res, checked);
        return;
      }
      res
        .status(401)
        .type('html')
        .send(loginPage({ next, error: 'That token is not recognised.' }));
    },
  );
  router.post(`${REPORTS_BASE}/logout`, ownPageOnly, (req, res) => {
    auth.endSession(req, res);
    res.redirect(303, `${REPORTS_BASE}/login`);
  });

  router.get(`${REPORTS_API}/stream`, apiGate(auth, gate), liveUpdates(ctx));

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
    router.get(`${REPORTS_API}/${id}`, apiGate(auth, gate), (req, res) => api(req, res, false));
    router.get(`${REPORTS_API}/${id}.csv`, apiGate(auth, gate), (req, res) => api(req, res, true));
    router.get(pagePath(id), pageGate(auth, gate), async (req: Request, res: Response, next: NextFunction) => {
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
