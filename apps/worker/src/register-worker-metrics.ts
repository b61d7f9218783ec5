import { createHash, timingSafeEqual } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { ProcessingService, READ_MODEL_READER, metricsToken, type AppConfig, type ReadModelReader } from '@evp/runtime';
import { importCounts } from '@evp/ledger-application';

/**
 * `/metrics` on the worker (DOMAIN.md: «every deadline the system owns must be observable»):
 * each subscription's state, lag and parked events; pending and overdue deadlines; imports
 * recorded. Read at scrape time from the same sources as `/operator` and `/health`. Behind the
 * bearer scrape token; absent in production without METRICS_TOKEN. Call before `listen`.
 */
export function registerWorkerMetrics(app: NestFastifyApplication, config: AppConfig): Registry | undefined {
  const token = metricsToken(config);
  if (!token) return undefined;
  const processing = app.get(ProcessingService);
  const readModels = app.get<ReadModelReader>(READ_MODEL_READER);
  const register = new Registry();
  // A worker split by WORKER_ROLE is two processes: each series says which one it comes from.
  register.setDefaultLabels({ service: 'worker', worker_role: config.WORKER_ROLE });
  collectDefaultMetrics({ register });
  const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers: [register] });
  const state = gauge('evp_subscription_state', 'Subscription state: 1 for the state it is in.', ['subscription', 'state']);
  // `building`: a rebuild's new generation, behind by design until it is switched in (alert on building="false").
  const caughtUp = gauge('evp_subscription_caught_up', '1 when every event of the subscription’s streams is handled (from its durable checkpoint).', ['subscription', 'building']);
  const lag = gauge('evp_subscription_lag_seconds', 'Age of the oldest event the subscription has not handled; 0 when caught up. building="true": a rebuild catching up, behind by design.', ['subscription', 'building']);
  const rebuildFailed = gauge('evp_projection_rebuild_failed', '1 for a projection whose last rebuild failed (it serves its old generation until a rebuild succeeds).', ['projection']);
  const rebuildStalled = gauge(
    'evp_projection_rebuild_stalled',
    '1 for a projection whose rebuild in progress has made no progress for longer than REBUILD_STALL_MS with events left to handle.',
    ['projection'],
  );
  const parked = gauge('evp_subscription_parked_events', 'Events parked (or held behind a parked one) for an operator to retry.', ['subscription']);
  const handled = gauge('evp_subscription_handled_events', 'Events handled since the process started.', ['subscription']);
  const pending = gauge('evp_deadlines_pending', 'Deadlines waiting to fire, by delivery (timer or daily sheet).', ['delivery']);
  const overdue = gauge('evp_deadlines_overdue', 'Pending deadlines whose time has passed: a timer that did not fire.');
  const imports = gauge('evp_ledger_imports', 'Imports recorded in the import history, by municipality, kind and whether they changed anything.', ['municipality', 'kind', 'noop']);
  const scrapeErrors = gauge('evp_metrics_source_errors', 'Sources that could not be read at this scrape (1 each).', ['source']);

  const refresh = async () => {
    for (const g of [state, caughtUp, lag, rebuildFailed, rebuildStalled, parked, handled, pending, overdue, imports, scrapeErrors]) g.reset();
    for (const runner of processing.allRunners()) {
      const status = runner.status();
      state.set({ subscription: status.name, state: status.state }, 1);
      parked.set({ subscription: status.name }, status.parked.length);
      handled.set({ subscription: status.name }, status.handled);
    }
    await attempt('subscriptions', async () => {
      for (const l of await processing.lag()) {
        const labels = { subscription: l.name, building: String(l.building) };
        caughtUp.set(labels, l.caughtUp ? 1 : 0);
        // Wall time on purpose: the events' recordedAt is the store's clock, and lag is about the machine, not business time.
        lag.set(labels, l.behindSince ? Math.max(0, (Date.now() - Date.parse(l.behindSince)) / 1000) : 0);
      }
      for (const name of processing.projections.names()) {
        rebuildFailed.set({ projection: name }, 0);
        rebuildStalled.set({ projection: name }, 0);
      }
      for (const f of processing.projections.failedRebuilds()) rebuildFailed.set({ projection: f.projection }, 1);
      for (const s of processing.stalledRebuilds()) rebuildStalled.set({ projection: s.projection }, 1);
    });
    // A worker split by WORKER_ROLE: each figure from the one process that owns it, so no sum counts it twice.
    const deadlines = processing.deadlines;
    if (deadlines) {
      await attempt('deadlines', async () => {
        const overview = await deadlines.overview(1);
        // Both deliveries always: a series that vanishes at zero reads as «no data» to an alert.
        for (const delivery of ['timer', 'sheet']) pending.set({ delivery }, 0);
        for (const c of overview.counts.filter((x) => x.status === 'pending')) pending.set({ delivery: c.delivery }, c.count);
        overdue.set(overview.overdue);
      });
    }
    if (processing.runs.projections) {
      await attempt('imports', async () => {
        for (const c of await importCounts(readModels)) imports.set({ municipality: c.municipality, kind: c.kind, noop: String(c.noOp) }, c.count);
      });
    }
  };
  // A source that is down is a figure too: the scrape still answers, and says which source failed.
  const attempt = async (source: string, read: () => Promise<void>) => {
    try {
      await read();
    } catch {
      scrapeErrors.set({ source }, 1);
    }
  };

  app
    .getHttpAdapter()
    .getInstance()
    .get('/metrics', async (request, reply) => {
      if (!bearerMatches(request.headers.authorization, token)) {
        return reply.status(401).header('www-authenticate', 'Bearer').header('content-type', 'text/plain; charset=utf-8').send('Mangler eller feil token for /metrics.');
      }
      await refresh();
      return reply.header('content-type', register.contentType).send(await register.metrics());
    });
  return register;
}

/** Constant-time comparison of the presented bearer token with the configured one. */
function bearerMatches(header: string | undefined, token: string): boolean {
  if (!header?.startsWith('Bearer ')) return false;
  const given = createHash('sha256').update(header.slice('Bearer '.length).trim()).digest();
  return timingSafeEqual(given, createHash('sha256').update(token).digest());
}

/** `/metrics` is let through the HTTP edge without a user's token: it checks its own scrape token. */
export function isWorkerMetricsRoute(route: string | undefined, method: string): boolean {
  return (method === 'GET' || method === 'HEAD') && route === '/metrics';
}
