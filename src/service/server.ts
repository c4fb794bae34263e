import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler } from 'express';
import { collectDefaultMetrics, type OpenMetricsContentType, Registry } from 'prom-client';
import { AnomalyMonitor } from '../core/monitor.js';
import { eventApi } from '../http/event-api.js';
import { sendError } from '../http/json-error.js';
import { metricsHandler } from '../http/metrics-route.js';
import { offendersApi } from '../http/offenders-api.js';
import { formatNamed } from '../sources/formats.js';
import { LiveSources } from '../sources/live-sources.js';
import { redactedUrl } from '../store/redis-options.js';
import { redisStore } from '../store/redis-store.js';
import { registerPrometheusMetrics } from '../telemetry/prometheus-collector.js';
import { VERSION } from '../version.js';
import type { ServiceConfig } from './config.js';
import { createHttpServer } from './http-server.js';
import { type Logger, logAlerts } from './logger.js';
import { registerServiceMetrics, ServiceCounters } from './service-metrics.js';
import { registerSourceMetrics } from './source-metrics.js';
import { processTotals } from './totals.js';

/** What the service needs from the OTLP exporter (see `startOtelExport`). */
export interface OtelHandle {
  readonly enabled: boolean;
  droppedEvents(): number;
  exportFailures(): number;
  shutdown(timeoutMs?: number): Promise<void>;
}

/** The state directory (SECMON_STATE_DIR) cannot be created, read or written. */
export class StateDirError extends Error {
  readonly code = 'SECMON_ERR_STATE_DIR';
  constructor(directory: string | undefined, cause: NodeJS.ErrnoException) {
    const why =
      cause.code === 'EEXIST' || cause.code === 'ENOTDIR'
        ? 'it is not a directory'
        : cause.code === 'EACCES' || cause.code === 'EPERM' || cause.code === 'EROFS'
          ? `secmon may not create or write files in it (${cause.code})`
          : (cause.code ?? cause.message);
    super(`SECMON_STATE_DIR (--state-dir) ${JSON.stringify(directory)} cannot be used: ${why}`, { cause });
    this.name = 'StateDirError';
  }
}

/** Optional parts of the service, injected by the CLI (and by tests). */
export interface ServiceParts {
  /** Starts OTLP export for the monitor (the CLI passes `startOtelExport`). */
  otel?: (monitor: AnomalyMonitor) => OtelHandle;
}

/** A running (or ready to run) secmon service. */
export interface SecmonService {
  readonly monitor: AnomalyMonitor;
  readonly app: express.Express;
  /** Starts listening; resolves with the bound address. */
  listen(): Promise<AddressInfo>;
  /**
   * Graceful shutdown: readiness goes to 503, the listener stops accepting, idle keep-alive
   * connections close at once and busy ones get until `graceMs`, events in flight to Redis are
   * decided (bounded by its command timeout) and its connection closed, then OTel alert events and
   * a last metrics collection are flushed (at most `otelFlushMs`), and one final log line
   * (`secmon stopped`) carries the process totals (and, with log sources, what each read; they
   * stop first and save their positions). Resolves within `graceMs` + the Redis command
   * timeout + `otelFlushMs`.
   */
  close(graceMs?: number, otelFlushMs?: number): Promise<void>;
}

/**
 * Assembles the secmon service: the monitor, its Prometheus metrics (text and OpenMetrics), alert
 * logging, the event API and the health endpoints, on one Express app.
 */
export function createService(
  config: ServiceConfig,
  logger: Logger,
  parts: ServiceParts = {},
): SecmonService {
  const { redis } = config;
  const monitor = new AnomalyMonitor(
    redis === undefined
      ? config.monitor
      : {
          ...config.monitor,
          store: redisStore({ ...redis, logger: logger.child({ component: 'store' }) }),
        },
  );
  logAlerts(monitor, logger);
  const otel = parts.otel?.(monitor);
  const counters = new ServiceCounters();
  // Log files feed the same monitor as the event API (see LiveSources for the clock they use).
  const sources = new LiveSources(config.sources.list, {
    monitor,
    logger: logger.child({ component: 'sources' }),
    formats: new Map(
      config.sources.list.map((source) => [
        source.format,
        formatNamed(source.format, { customFormats: config.sources.customFormats }),
      ]),
    ),
    stateDir: config.sources.stateDir,
    fromStart: config.sources.fromStart,
    pollIntervalMs: config.sources.pollIntervalMs,
    maxLineBytes: config.sources.maxLineBytes,
  });
  const app = express();
  const { server, connections, protocolErrors } = createHttpServer(app, config);

  // Two registries of the same metrics: prom-client renders one content type per registry.
  const registry = new Registry();
  const openMetricsRegistry = new Registry<OpenMetricsContentType>();
  openMetricsRegistry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  for (const target of [registry, openMetricsRegistry]) {
    registerPrometheusMetrics(monitor, { registry: target, prefix: config.metricPrefix, version: VERSION });
    registerServiceMetrics(
      target,
      config.metricPrefix,
      counters,
      { dropped: () => otel?.droppedEvents() ?? 0, failures: () => otel?.exportFailures() ?? 0 },
      { connections: connections.counts, protocolErrors, maxConnections: config.maxConnections },
    );
    if (config.sources.list.length > 0) registerSourceMetrics(target, config.metricPrefix, sources);
    collectDefaultMetrics({ register: target });
  }

  let ready = false;
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.get('/', (_req, res) => {
    res.json({
      name: 'secmon',
      version: VERSION,
      endpoints: ['GET /metrics', 'GET /healthz', 'GET /readyz', 'POST /v1/events', 'GET /v1/offenders'],
    });
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Ready once listening and, with Redis, once connected (or given up waiting, a few seconds at
  // most). A Redis outage does not make a replica unready: every replica shares that Redis, so
  // taking them out of the load balancer would lose every event at once. The body says how the
  // store is doing; secmon_store_up and its alert page someone.
  app.get('/readyz', (_req, res) => {
    const body: Record<string, unknown> = { status: ready ? 'ready' : 'not ready' };
    if (redis !== undefined) {
      body.store = { backend: 'redis', up: monitor.getStats().store.up, outagePolicy: redis.outagePolicy };
    }
    res.status(ready ? 200 : 503).json(body);
  });
  app.get(
    '/metrics',
    metricsHandler({
      registry,
      openMetricsRegistry,
      bearerTokens: config.metricsTokens,
      basicAuth: config.metricsBasicAuth,
    }),
  );
  app.use(
    eventApi(monitor, {
      tokens: config.ingestTokens,
      bodyLimitBytes: config.bodyLimitBytes,
      onRejected: (reason) => {
        counters.rejected[reason]++;
      },
      onAccepted: (events) => {
        counters.acceptedRequests++;
        counters.acceptedEvents += events;
      },
    }),
  );
  app.use(offendersApi(monitor, { tokens: config.offendersTokens }));
  app.use((req, res) => {
    sendError(res, 404, `no such endpoint: ${req.method} ${req.path.slice(0, 200)}`);
  });
  const internalError: ErrorRequestHandler = (error, req, res, _next) => {
    logger.error({ err: error, method: req.method, path: req.path.slice(0, 200) }, 'request failed');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendError(res, 500, 'internal error');
  };
  app.use(internalError);

  return {
    monitor,
    app,
    async listen() {
      // Before listening: an unusable state directory stops the start, before anyone sends events.
      try {
        await sources.start();
      } catch (error) {
        throw new StateDirError(config.sources.stateDir, error as NodeJS.ErrnoException);
      }
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      await monitor.ready();
      ready = true;
      const address = server.address() as AddressInfo;
      if (config.ingestTokens.length === 0) {
        logger.warn('no ingest token configured: POST /v1/events answers 503 (set SECMON_INGEST_TOKENS)');
      } else if (config.ingestTokens.some((token) => token.length < 16)) {
        logger.warn('an ingest token is shorter than 16 characters: use long random tokens in production');
      }
      if (config.offendersTokens.some((token) => token.length < 16)) {
        logger.warn('an offenders token is shorter than 16 characters: use long random tokens in production');
      }
      logger.info(
        {
          address: address.address,
          port: address.port,
          version: VERSION,
          otlp: otel?.enabled ?? false,
          store: redis === undefined ? 'memory' : redactedUrl(redis.url),
          // Whether privacy mode is on; the key itself is never logged.
          privacy: config.monitor.privacy !== undefined,
          offenders: config.offendersTokens.length > 0,
          sources: config.sources.list.map((source) => source.name),
        },
        'secmon listening',
      );
      return address;
    },
    async close(graceMs = 4000, otelFlushMs = 1000) {
      ready = false;
      const closed = new Promise<void>((resolve) => {
        if (!server.listening) resolve();
        else server.close(() => resolve());
      });
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), graceMs);
      force.unref();
      // Sources stop reading and save where they stopped while the last requests finish.
      await Promise.all([closed, sources.stop()]);
      clearTimeout(force);
      await monitor.close();
      await otel?.shutdown(otelFlushMs);
      // After the last decision and the OTel flush: what this process accepted and raised, for the
      // events that arrived after the last scrape (and for a deployment without Prometheus).
      // With log sources, what each read (lines by outcome, events), since the last scrape too.
      const sourceTotals =
        sources.sources.length === 0
          ? undefined
          : Object.fromEntries(
              sources.sources.map(({ spec, counts }) => [
                spec.name,
                { lines: counts.lines, events: counts.events },
              ]),
            );
      logger.info(
        {
          totals: processTotals(monitor.getStats(), counters, connections.counts, protocolErrors, otel),
          sources: sourceTotals,
        },
        'secmon stopped',
      );
    },
  };
}
