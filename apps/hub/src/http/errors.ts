import type { RejectionCode } from '@stocknerve/domain';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../logger.js';
import { requestContextOf } from './request-context.js';

/**
 * HTTP status of a refused command. Not found for a missing reservation or pickup; 422 for a
 * well-formed request naming something that cannot work (unknown location, a warehouse for a
 * pickup, an expiry in the past); 409 for everything that conflicts with the current state
 * (not enough stock, idempotency key reused, not active, duplicates).
 */
export const rejectionStatus = (code: RejectionCode): 404 | 409 | 422 => {
  switch (code) {
    case 'UnknownReservation':
    case 'UnknownPickup':
      return 404;
    case 'InvalidExpiry':
    case 'UnknownLocation':
    case 'UnknownSku':
    case 'NotAStore':
      return 422;
    default:
      return 409;
  }
};

/** Unknown route: 404 JSON. */
export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json({ error: 'not-found', message: `no route ${req.method} ${req.path}` });
};

/** The answer to a body that is not JSON. */
export const INVALID_JSON_BODY = {
  error: 'invalid-request',
  message: 'request body is not valid JSON',
  issues: [{ in: 'body', path: '', message: 'not valid JSON' }],
} as const;

/** The answer to a failure inside a handler: no details leave the hub (they are in its log). */
export const INTERNAL_ERROR = { error: 'internal', message: 'internal error' } as const;

interface HttpishError {
  status?: unknown;
  statusCode?: unknown;
  type?: unknown;
  expose?: unknown;
  message?: unknown;
}

const statusOf = (err: HttpishError): number | undefined => {
  const s = typeof err.status === 'number' ? err.status : err.statusCode;
  return typeof s === 'number' && s >= 400 && s < 600 ? s : undefined;
};

/**
 * Last middleware: errors of body-parser (bad JSON, too large, bad charset) answer 4xx JSON; anything
 * else is a bug or an outage: logged with the correlation id, answered 500 `{error:'internal'}`
 * without details.
 */
export const errorHandler =
  (log: Logger): ErrorRequestHandler =>
  (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const e: HttpishError = typeof err === 'object' && err !== null ? err : {};
    const status = statusOf(e);
    if (e.type === 'entity.parse.failed') {
      res.status(400).json(INVALID_JSON_BODY);
      return;
    }
    if (status !== undefined && status < 500 && e.expose !== false) {
      const message = typeof e.message === 'string' ? e.message : 'bad request';
      const error = status === 413 ? 'payload-too-large' : status === 415 ? 'unsupported-media-type' : 'bad-request';
      res.status(status).json({ error, message });
      return;
    }
    (requestContextOf(req)?.log ?? log).error({ err }, 'unhandled error in HTTP handler');
    res.status(500).json(INTERNAL_ERROR);
  };
