import type { RequestHandler } from 'express';
import { Registry, type RegistryContentType } from 'prom-client';
import { sendError } from './json-error.js';
import { basicCredentials, bearerToken, SecretSet } from './tokens.js';

/** Options of {@link metricsHandler}. */
export interface MetricsHandlerOptions {
  /** Registry in the Prometheus text format (served by default). */
  registry: Registry<RegistryContentType>;
  /**
   * Registry in the OpenMetrics format, served when the scraper's `Accept` asks for
   * `application/openmetrics-text` (Prometheus does when exemplar storage is on). Optional.
   */
  openMetricsRegistry?: Registry<RegistryContentType>;
  /** Require `Authorization: Bearer <one of these>`. */
  bearerTokens?: readonly string[];
  /** Require `Authorization: Basic` with one of these `user:password` pairs. */
  basicAuth?: readonly string[];
}

/**
 * An Express handler that serves a prom-client registry: Prometheus text by default, OpenMetrics on
 * request, optionally behind bearer-token or basic auth (either accepted when both are configured;
 * compared in constant time). A wrong or missing credential gets 401 with a `WWW-Authenticate` header.
 */
export function metricsHandler(options: MetricsHandlerOptions): RequestHandler {
  const tokens = new SecretSet(options.bearerTokens ?? []);
  const basic = new SecretSet(options.basicAuth ?? []);
  const protectedRoute = tokens.size > 0 || basic.size > 0;
  return async (req, res, next) => {
    try {
      if (protectedRoute) {
        const authorization = req.headers.authorization;
        const allowed =
          (tokens.size > 0 && tokens.matches(bearerToken(authorization))) ||
          (basic.size > 0 && basic.matches(basicCredentials(authorization)));
        if (!allowed) {
          res.setHeader(
            'WWW-Authenticate',
            basic.size > 0 ? 'Basic realm="secmon metrics"' : 'Bearer realm="secmon metrics"',
          );
          sendError(res, 401, 'metrics require credentials: send the configured bearer token or basic auth');
          return;
        }
      }
      const wantsOpenMetrics =
        options.openMetricsRegistry !== undefined &&
        (req.headers.accept ?? '').includes('application/openmetrics-text');
      const registry = wantsOpenMetrics ? options.openMetricsRegistry! : options.registry;
      const body = await registry.metrics();
      res.setHeader(
        'Content-Type',
        wantsOpenMetrics ? Registry.OPENMETRICS_CONTENT_TYPE : Registry.PROMETHEUS_CONTENT_TYPE,
      );
      res.setHeader('Cache-Control', 'no-store');
      res.end(body);
    } catch (error) {
      next(error);
    }
  };
}
