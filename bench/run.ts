// `npm run bench`: runs every benchmark and prints, as its last line, one JSON object of figures.
// Progress goes to stderr so the JSON line stays easy to pick out of stdout.
import { benchCore } from './core.js';
import { benchDetect } from './detect.js';
import { benchOtel } from './otel.js';
import { benchRedis } from './redis.js';
import { benchService } from './service.js';
import { benchSink } from './sink.js';

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

const result = {
  machine: { node: process.version, platform: `${process.platform}-${process.arch}` },
  core: benchCore(log),
  service: await benchService(log),
  redis: await benchRedis(log),
  otel: await benchOtel(log),
  detect: benchDetect(log),
  sink: await benchSink(log),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
