import type { RequestHandler } from 'express';
import { Registry, type RegistryContentType } from 'prom-client';
import { badOptionError } from '../core/errors.js';
import { helperOptions } from './http-options.js';
import { sendError } from './json-error.js';
import { secretListOption } from './secrets.js';
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
  /**
   * Require `Authorization: Bearer <one of these>`: one token or a list. Each must be a non-empty
   * token of visible ASCII characters; an empty list (or leaving it out) asks for no protection.
   */
  bearerTokens?: string | readonly string[];
  /** Require `Authorization: Basic` with one of these `user:password` pairs: one pair or a list. */
  basicAuth?: string | readonly string[];
}

const KNOWN_OPTIONS = ['registry', 'openMetricsRegistry', 'bearerTokens', 'basicAuth'];

/**
 * An Express handler that serves a prom-client registry: Prometheus text by default, OpenMetrics on
 * request, optionally behind bearer-token or basic auth (either accepted when both are configured;
 * compared in constant time). A wrong or missing credential gets 401 with a `WWW-Authenticate` header.
 * Options are checked at the call and fail closed: an empty, blank or `undefined` token or pair (an
 * unset environment variable) throws a `TypeError` with code `SECMON_ERR_BAD_OPTION` instead of
 * leaving the route open; an unknown option name throws `SECMON_ERR_UNKNOWN_OPTION`.
 */
export function metricsHandler(options: MetricsHandlerOptions): RequestHandler {
  const given = helperOptions('metricsHandler', options, KNOWN_OPTIONS);
  const registry = registryOption('metricsHandler.registry', given.registry);
  const openMetricsRegistry =
    given.openMetricsRegistry === undefined
      ? undefined
      : registryOption('metricsHandler.openMetricsRegistry', given.openMetricsRegistry);
  const tokens = new SecretSet(
    secretListOption('metricsHandler.bearerTokens', given.bearerTokens, 'bearer token'),
  );
  const basic = new SecretSet(
    secretListOption('metricsHandler.basicAuth', given.basicAuth, 'basic-auth pair'),
  );
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
        openMetricsRegistry !== undefined &&
        (req.headers.accept ?? '').includes('application/openmetrics-text');
      const body = await (wantsOpenMetrics ? openMetricsRegistry : registry).metrics();
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

function registryOption(name: string, value: unknown): Registry<RegistryContentType> {
  if (typeof value !== 'object' || value === null || typeof (value as Registry).metrics !== 'function') {
    throw badOptionError(name, 'a prom-client Registry (e.g. registerPrometheusMetrics(monitor))', value);
  }
  return value as Registry<RegistryContentType>;
}
