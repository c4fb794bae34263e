import { execSync } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RequestContext } from '../../src/guard/request-context.js';
import {
  guardSinks,
  MAX_INPUT_LENGTH,
  MAX_INPUTS,
  MAX_TOTAL_LENGTH,
  type SinkGuard,
  withRequestInputs,
} from '../../src/guard.js';
import { type Alert, AnomalyMonitor } from '../../src/index.js';

let guard: SinkGuard | undefined;
afterEach(() => {
  guard?.();
  guard = undefined;
  vi.restoreAllMocks();
});

function contextOf(values: unknown[]): RequestContext {
  return new RequestContext('192.0.2.9', undefined, (add) => {
    for (const value of values) add(value, 'f');
  });
}

describe('request inputs are bounded', () => {
  it('keeps strings of 2 characters or more, once each', () => {
    const context = contextOf(['a', '', 'ab', 42, null, 'ab', 'cd', ['x']]);
    expect(context.values().map((input) => input.value)).toEqual(['ab', 'cd']);
    expect(context.takeDropped()).toBe(0);
  });

  it(`keeps at most ${MAX_INPUTS} inputs and counts the rest`, () => {
    const context = contextOf(Array.from({ length: MAX_INPUTS + 10 }, (_, i) => `v${i}`));
    expect(context.values()).toHaveLength(MAX_INPUTS);
    expect(context.takeDropped()).toBe(10);
    expect(context.takeDropped()).toBe(0); // counted once
  });

  it(`cuts an input to ${MAX_INPUT_LENGTH} characters and keeps ${MAX_TOTAL_LENGTH} in all`, () => {
    const long = 'x'.repeat(MAX_INPUT_LENGTH * 3);
    const many = Array.from({ length: 100 }, (_, i) => `${i}`.padEnd(MAX_INPUT_LENGTH, '.'));
    const context = contextOf([long, ...many]);
    const values = context.values();
    expect(values[0]!.value).toHaveLength(MAX_INPUT_LENGTH);
    expect(values.reduce((sum, input) => sum + input.value.length, 0)).toBeLessThanOrEqual(MAX_TOTAL_LENGTH);
    expect(values).toHaveLength(MAX_TOTAL_LENGTH / MAX_INPUT_LENGTH);
    expect(context.takeDropped()).toBe(101 - MAX_TOTAL_LENGTH / MAX_INPUT_LENGTH);
  });

  it('collects on first use only', () => {
    const collect = vi.fn();
    const context = new RequestContext('192.0.2.9', undefined, collect);
    expect(collect).not.toHaveBeenCalled();
    context.values();
    context.values();
    expect(collect).toHaveBeenCalledTimes(1);
  });

  it('dropped inputs show in the guard stats', () => {
    guard = guardSinks(new AnomalyMonitor(), { sinks: ['command'] });
    const inputs = Array.from({ length: MAX_INPUTS + 5 }, (_, i) => `input-${i}`);
    withRequestInputs({ ip: '192.0.2.9', inputs }, () => execSync('true'));
    expect(guard.stats()).toMatchObject({ checked: 1, inputsDropped: 5 });
  });
});

describe('withRequestInputs', () => {
  it('follows the request through timers and promises, and each request keeps its own inputs', async () => {
    const monitor = new AnomalyMonitor();
    const alerts: Alert[] = [];
    monitor.onAlert((alert) => {
      alerts.push(alert);
    });
    guard = guardSinks(monitor, { sinks: ['command'] });
    const later = (input: string, ip: string) =>
      withRequestInputs({ ip, inputs: [input], userId: 'ann' }, async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        await Promise.resolve();
        execSync(`echo ${input}`, { stdio: 'ignore' });
      });
    await Promise.all([later('a; true', '192.0.2.1'), later('b | true', '192.0.2.2')]);
    expect(alerts.map((a) => [a.sourceIp, a.userId, a.metadata?.input]).sort()).toEqual([
      ['192.0.2.1', 'ann', 'a; true'],
      ['192.0.2.2', 'ann', 'b | true'],
    ]);
  });

  it('returns what the function returns, and takes bad data as a request without inputs', () => {
    guard = guardSinks(new AnomalyMonitor(), { sinks: ['command'] });
    expect(withRequestInputs({ ip: '192.0.2.1', inputs: ['x'] }, () => 42)).toBe(42);
    expect(withRequestInputs(null as never, () => execSync('echo ok; true').toString())).toBe('ok\n');
    expect(
      withRequestInputs({ ip: 5, inputs: 'x; true' } as never, () => execSync('echo x; true').toString()),
    ).toBe('x\n');
    expect(guard.stats().findings).toBe(0);
  });
});

describe('a failure inside the check lets the call run', () => {
  it('counts it and warns once', () => {
    const monitor = new AnomalyMonitor();
    guard = guardSinks(monitor, { mode: 'block', sinks: ['command'] });
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const broken = new Proxy([], {
      get(target, key) {
        if (key === 'length') throw new Error('detector bug');
        return Reflect.get(target, key);
      },
    });
    const outputs = [1, 2].map(() =>
      withRequestInputs({ ip: '192.0.2.1', inputs: broken }, () => execSync('echo ran; true').toString()),
    );
    expect(outputs).toEqual(['ran\n', 'ran\n']);
    expect(guard.stats()).toMatchObject({ detectionErrors: 2, blocked: 0 });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/secmon sink guard: a check failed .*detector bug/);
  });
});
