#!/usr/bin/env node
// The `secmon` command: `secmon serve` runs the service (what `npm start` runs), `secmon replay`
// runs log files through the detectors on the logs' own time, `secmon demo` sends an attack mix to a
// running service, `secmon offenders` lists who is attacking it now.
import { Command, CommanderError, Help, Option } from 'commander';
import { MAX_OFFENDERS_LIMIT, parseOffendersLimit } from '../core/offenders.js';
import { FORMAT_NAMES } from '../sources/formats.js';
import { VERSION } from '../version.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { fetchOffenders, formatOffenders } from './offenders-command.js';
import { REPLAY_SETTINGS, type ReplayFlags, ReplayUsageError, runReplay } from './replay-command.js';
import type { createService } from './server.js';
import { SERVICE_GROUP, SETTINGS, type Setting, type SettingKey } from './settings.js';

const USAGE_ERROR = 2;
const SHUTDOWN_DEADLINE_MS = 5000;

function fail(message: string, hint?: string): never {
  process.stderr.write(`secmon: ${message}\n${hint ? `${hint}\n` : ''}`);
  process.exit(USAGE_ERROR);
}

async function serve(flags: Partial<Record<SettingKey, string | string[]>>): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig({ env: process.env, flags });
  } catch (error) {
    if (error instanceof ConfigError)
      fail(
        error.message,
        'Run `secmon serve --help` (in a checkout: `npx secmon serve --help`) for every setting and its accepted values.',
      );
    throw error;
  }
  const logger = createLogger(config.logLevel);
  // The service and OpenTelemetry are loaded here, not at the top: the other commands (replay above
  // all) start in a fraction of the time without them.
  const [
    { context },
    { AsyncLocalStorageContextManager },
    { createService, StateDirError },
    { startOtelExport },
  ] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/context-async-hooks'),
    import('./server.js'),
    import('../telemetry/otel-export.js'),
  ]);
  // Lets a caller's W3C traceparent (event API) become the active context while events are recorded.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  let service: ReturnType<typeof createService>;
  try {
    service = createService(config, logger, {
      otel: (monitor) =>
        startOtelExport(monitor, {
          serviceVersion: VERSION,
          onError: (error) => logger.warn({ err: error.message }, 'OTLP export failing'),
        }),
    });
  } catch (error) {
    // startOtelExport rejects unusable OTEL_* values with a TypeError naming the variable.
    if ((error as { code?: string }).code === 'SECMON_ERR_BAD_OPTION') fail((error as Error).message);
    throw error;
  }
  try {
    await service.listen();
  } catch (error) {
    if (error instanceof StateDirError) fail(error.message);
    const problem = listenProblem(error as NodeJS.ErrnoException, config.host, config.port);
    if (problem !== undefined) fail(problem);
    logger.fatal({ err: error }, `cannot listen on ${config.host}:${config.port}`);
    process.exit(1);
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error('shutdown took too long: exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    // Connections get 2 s, Redis its command timeout (1 s by default), OTel 1.5 s: within the deadline.
    service.close(2000, 1500).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

// The width commander wraps help to: the terminal's, or 80 columns when the output is not one.
function helpWidth(): number {
  return process.stdout.isTTY ? Math.max(40, process.stdout.columns ?? 80) : 80;
}

// Prose after the option list, wrapped at word boundaries to the help width (commander does not
// wrap text added with addHelpText).
function wrapParagraphs(paragraphs: string[]): string {
  const help = new Help();
  return `\n${paragraphs.map((text) => help.boxWrap(text, helpWidth())).join('\n\n')}`;
}

// Commander puts a description beside its term and wraps it in the space left; with `serve`'s long
// flags that space is too narrow, and commander then prints each description on one overlong line
// that the terminal breaks anywhere. There the description goes under the term instead, wrapped to
// the full width.
function formatHelpItem(term: string, termWidth: number, description: string, helper: Help): string {
  const width = helper.helpWidth ?? 80;
  if (!description || width - termWidth - 4 >= helper.minWidthToWrap) {
    return Help.prototype.formatItem.call(helper, term, termWidth, description, helper);
  }
  const indent = '      ';
  const wrapped = helper.boxWrap(description, width - indent.length).replace(/^/gm, indent);
  return `  ${term}\n${wrapped}`;
}

// Where `secmon serve` listens with the same environment: SECMON_PORT, and SECMON_HOST unless it is
// a wildcard address (then loopback reaches it). The default target of `demo` and `offenders`.
function localServiceUrl(env: NodeJS.ProcessEnv): string {
  const port = env.SECMON_PORT?.trim() || '9870';
  const host = env.SECMON_HOST?.trim() ?? '';
  const reachable = host === '' || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

// A listen failure the operator can fix, as one line naming the setting; undefined for anything else.
function listenProblem(error: NodeJS.ErrnoException, host: string, port: number): string | undefined {
  switch (error.code) {
    case 'EADDRINUSE':
      return `port ${port} on ${host} is already in use (SECMON_PORT, --port): stop the other process or choose another port`;
    case 'EACCES':
      return `not allowed to listen on port ${port} (SECMON_PORT, --port): ports below 1024 need privileges; choose a higher one`;
    case 'EADDRNOTAVAIL':
      return `${host} is not an address of this machine (SECMON_HOST, --host)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve the host name ${JSON.stringify(host)} (SECMON_HOST, --host)`;
    default:
      return undefined;
  }
}

function program(): Command {
  const root = new Command('secmon')
    .description(
      'Security anomaly monitor: brute force, privilege escalation, path traversal and command injection, as Prometheus metrics and OpenTelemetry events.',
    )
    .configureHelp({ formatItem: formatHelpItem })
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  const serveCommand = root
    .command('serve')
    .description('run the secmon service (event API, /metrics, /healthz, /readyz)')
    .addHelpText('after', () =>
      wrapParagraphs([
        'Every flag can also be set with its environment variable; flags win. Standard OTEL_* variables (e.g. OTEL_EXPORTER_OTLP_ENDPOINT) enable OTLP export of alert events and metrics.',
      ]),
    );
  const attributes = new Map<SettingKey, string>();
  for (const setting of SETTINGS as readonly Setting[]) {
    const option = new Option(
      setting.switch ? setting.flag : `${setting.flag} <value>`,
      `${setting.description} [env ${setting.env}, default ${setting.defaultText}]`,
    ).helpGroup(setting.group ?? SERVICE_GROUP);
    if (setting.repeatable) {
      option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
    }
    serveCommand.addOption(option);
    attributes.set(setting.key, option.attributeName());
  }
  serveCommand.action(async (options: Record<string, string | string[] | boolean>) => {
    const flags: Partial<Record<SettingKey, string | string[]>> = {};
    for (const setting of SETTINGS) {
      const value = options[attributes.get(setting.key)!];
      if (value !== undefined) flags[setting.key] = value === true ? 'true' : (value as string | string[]);
    }
    await serve(flags);
  });

  const replayCommand = root
    .command('replay')
    .description(
      "run log files through a format's parser and the detectors, with the log's own timestamps as the clock, and print the alerts they raise",
    )
    .argument(
      '<files...>',
      'log files, read in order as one stream (oldest first); .gz too; - for standard input',
    )
    .requiredOption(
      '--format <name>',
      `log format: ${FORMAT_NAMES.join(', ')}, or a name from --formats-file`,
    )
    .option('--json', 'print each alert (firing and resolved) as one JSON object per line; default: a table')
    .option(
      '--threshold <n>',
      'failed logins from one address that raise brute_force (= --brute-force-threshold)',
    )
    .option(
      '--window <duration>',
      'sliding window of brute_force, e.g. 300s, 5m, 1h (= --brute-force-window-ms)',
    )
    .option(
      '--year <yyyy>',
      'year of the first syslog line (RFC 3164 times have none; later lines follow across New Year) [default: this year, or last year if the line would lie ahead]',
    )
    .option(
      '--time-zone <zone>',
      'zone of syslog times without one: local (the TZ variable) or UTC [default: local]',
    )
    .option(
      '--format-option <key=value>',
      'an option of the format, repeatable: e.g. failedAuthStatuses=[401,403] or trustProxy=loopback for nginx (values read as JSON when they are)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--formats-file <path>', 'a YAML or JSON file of custom formats, usable as --format <name>')
    .option('--no-progress', 'no progress bar (it is shown on stderr only when stderr is a terminal)')
    .addHelpText(
      'after',
      () =>
        wrapParagraphs([
          'Prints each alert as the detectors would have raised it live, at its log time, then a last line {"summary": {...}} with the lines read by outcome (matched, ignored, unparsed, tooLong) and the alerts by type. Exit status 0; 1 when an input could not be read to its end (a corrupt .gz: the others are still read); 2 for a bad flag, setting, format or file (nothing is read).',
          'Every detector setting of `secmon serve` is accepted, under the same flag and its SECMON_* variable; flags win.',
          'Examples:',
        ]) +
        [
          '',
          '  secmon replay --format sshd /var/log/auth.log',
          '  secmon replay --format sshd --threshold 5 --window 10m --json \\',
          '      /var/log/auth.log.2.gz /var/log/auth.log.1 /var/log/auth.log',
          '  journalctl -u ssh -o short-iso | secmon replay --format sshd -',
          '',
        ].join('\n'),
    );
  for (const setting of REPLAY_SETTINGS) {
    replayCommand.addOption(
      new Option(
        `${setting.flag} <value>`,
        `${setting.description} [env ${setting.env}, default ${setting.defaultText}]`,
      ).helpGroup(setting.group ?? 'Other detectors:'),
    );
  }
  replayCommand.action(async (files: string[], options: ReplayFlags) => {
    try {
      process.exitCode = await runReplay(files, options, {
        stdout: process.stdout,
        stderr: process.stderr,
        stdin: process.stdin,
        env: process.env,
      });
    } catch (error) {
      if (error instanceof ReplayUsageError) fail(error.message, error.hint);
      throw error;
    }
  });

  root
    .command('demo')
    .description('send a realistic attack mix to a running secmon service, then print what it reports')
    .option(
      '--target <url>',
      'base URL of the service [default http://127.0.0.1:<SECMON_PORT or 9870>, or SECMON_HOST when it names one address]',
    )
    .option(
      '--token <token>',
      'an ingest token of the service [env SECMON_DEMO_TOKEN, or the first of SECMON_INGEST_TOKENS]',
    )
    .option('--json', 'print the summary as JSON')
    .action(async (options: { target?: string; token?: string; json?: boolean }) => {
      const token = clientToken(options.token, 'SECMON_DEMO_TOKEN', 'SECMON_INGEST_TOKENS');
      if (!token) fail("demo needs --token: one of the service's SECMON_INGEST_TOKENS");
      const target = httpUrl('--target', options.target ?? localServiceUrl(process.env));
      try {
        const metricsToken = clientToken(undefined, undefined, 'SECMON_METRICS_TOKEN');
        const { formatSummary, runDemo } = await import('./demo.js');
        const summary = await runDemo({ target: target.href, token, metricsToken });
        process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
      } catch (error) {
        const hint = options.target === undefined ? ' (set --target, or SECMON_PORT)' : '';
        process.stderr.write(`secmon demo: ${(error as Error).message}${hint}\n`);
        process.exit(1);
      }
    });
  root
    .command('offenders')
    .description('list who is attacking a running secmon service right now (GET /v1/offenders)')
    .option(
      '--url <url>',
      'base URL of the service [default http://127.0.0.1:<SECMON_PORT or 9870>, or SECMON_HOST when it names one address]',
    )
    .option(
      '--token <token>',
      'an offenders token of the service [env SECMON_OFFENDERS_TOKEN, or the first of SECMON_OFFENDERS_TOKENS]',
    )
    .option('--limit <n>', `most offenders listed, 1 to ${MAX_OFFENDERS_LIMIT} [default 100]`)
    .option('--json', 'print the list as JSON, as the service gives it')
    .action(async (options: { url?: string; token?: string; limit?: string; json?: boolean }) => {
      const token = clientToken(options.token, 'SECMON_OFFENDERS_TOKEN', 'SECMON_OFFENDERS_TOKENS');
      if (!token) fail("offenders needs --token: one of the service's SECMON_OFFENDERS_TOKENS");
      const url = httpUrl('--url', options.url ?? localServiceUrl(process.env));
      const limit = options.limit === undefined ? undefined : parseOffendersLimit(options.limit);
      if (options.limit !== undefined && limit === undefined) {
        fail(
          `--limit must be an integer from 1 to ${MAX_OFFENDERS_LIMIT} (got ${JSON.stringify(options.limit)})`,
        );
      }
      try {
        const offenders = await fetchOffenders({ url: url.href, token, limit });
        process.stdout.write(
          options.json ? `${JSON.stringify({ offenders })}\n` : formatOffenders(offenders),
        );
      } catch (error) {
        process.stderr.write(`secmon offenders: ${(error as Error).message}\n`);
        process.exit(1);
      }
    });
  return root;
}

/**
 * The token a client command sends: its flag, else the variable `single`, else the first of the
 * service's comma-separated `list` (so a shell that runs the service can run the command as is).
 */
function clientToken(flag: string | undefined, single: string | undefined, list: string): string | undefined {
  return (
    flag ??
    (single === undefined ? undefined : process.env[single]) ??
    (process.env[list]?.split(',')[0]?.trim() || undefined)
  );
}

/** `text` as an http(s) URL, or exit 2 naming the flag. */
function httpUrl(flag: string, text: string): URL {
  try {
    const url = new URL(text);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // reported below
  }
  fail(`${flag} must be an http(s) URL (got ${JSON.stringify(text)})`);
}

try {
  await program().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exit(error.exitCode === 0 ? 0 : USAGE_ERROR);
  }
  throw error;
}
