// `npm run bench`: runs every benchmark and prints, as its last line, one JSON object of figures.
// Progress goes to stderr so the JSON line stays easy to pick out of stdout.
// `npm run bench -- NAME...` runs only the named ones (e.g. `sources`, `agreement`).
import { benchCore } from './core.js';
import { benchDetect } from './detect.js';
import { benchOtel } from './otel.js';
import { benchRedis } from './redis.js';
import { benchService } from './service.js';
import { benchSink } from './sink.js';
import { benchAgreementOnly, benchSources } from './sources.js';

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

const BENCHES: Record<string, () => unknown> = {
  core: () => benchCore(log),
  service: () => benchService(log),
  redis: () => benchRedis(log),
  otel: () => benchOtel(log),
  detect: () => benchDetect(log),
  sink: () => benchSink(log),
  sources: () => benchSources(log),
};
// Also in `sources`; by name only, for a quick run.
const ALONE: Record<string, () => unknown> = { agreement: () => benchAgreementOnly(log) };

const wanted = process.argv.slice(2);
for (const name of wanted) {
  if (!(name in BENCHES) && !(name in ALONE)) {
    log(
      `unknown bench ${JSON.stringify(name)}: one of ${[...Object.keys(BENCHES), ...Object.keys(ALONE)].join(', ')}`,
    );
    process.exit(2);
  }
}
const result: Record<string, unknown> = {
  machine: { node: process.version, platform: `${process.platform}-${process.arch}` },
};
for (const name of wanted.length > 0 ? wanted : Object.keys(BENCHES)) {
  result[name] = await (BENCHES[name] ?? ALONE[name])!();
}
process.stdout.write(`${JSON.stringify(result)}\n`);
