import type { Request, Response } from 'express';
import type { HubContext } from '../hub-context.js';

/** How often the stream compares the projector checkpoint and heartbeats with what it last sent, ms. Default 1000. */
export const LIVE_POLL_MS = 1000;
/** A `tick` goes out at least this often (keeps proxies from closing the stream; ages on Store health move on), ms. */
export const LIVE_TICK_MS = 15_000;

interface Stamp {
  readonly checkpoint: number;
  readonly nodes: string;
}

const stampOf = (ctx: HubContext): Stamp => {
  const hb = ctx.store.get<{ n: number; last: number | null; pending: number | null }>(
    'SELECT COUNT(*) AS n, MAX(last_heartbeat_ms) AS last, SUM(pending) AS pending FROM node_heartbeats',
  );
  return { checkpoint: ctx.projector.checkpoint, nodes: `${hb?.n ?? 0}/${hb?.last ?? 0}/${hb?.pending ?? 0}` };
};

/**
 * Server-sent events that tell open report pages to refresh. Why SSE and not polling the reports:
 * the browser keeps one cheap connection (EventSource reconnects by itself and sends the session
 * cookie), the hub compares one integer and one tiny aggregate per second, and pages refetch only
 * when the views actually changed instead of recomputing every report on a timer. The projector's
 * onBatch hook belongs to hub.ts, so the stream polls `projector.checkpoint`, which moves after
 * every committed batch.
 *
 * Events: `changed` `{checkpoint, events, nodes}` when new events were projected (events) or a
 * heartbeat changed (nodes); `tick` every 15 s.
 */
export const liveUpdates = (ctx: HubContext) => (req: Request, res: Response) => {
  res.status(200);
  res.set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  let last = stampOf(ctx);
  let lastSent = Date.now();
  const send = (event: string, data: unknown) => {
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    lastSent = Date.now();
  };
  res.write('retry: 3000\n\n');
  send('hello', { checkpoint: last.checkpoint });
  const timer = setInterval(() => {
    let now: Stamp;
    try {
      now = stampOf(ctx);
    } catch {
      return; // the store is closing with the hub
    }
    const events = now.checkpoint !== last.checkpoint;
    const nodes = now.nodes !== last.nodes;
    if (events || nodes) {
      last = now;
      send('changed', { checkpoint: now.checkpoint, events, nodes });
    } else if (Date.now() - lastSent >= LIVE_TICK_MS) send('tick', { checkpoint: now.checkpoint });
  }, LIVE_POLL_MS);
  req.on('close', () => clearInterval(timer));
};
