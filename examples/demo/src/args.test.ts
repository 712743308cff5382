import { describe, expect, it } from 'vitest';
import { parseDemoArgs, UsageError } from './args.js';

describe('parseDemoArgs', () => {
  it('has defaults that tell the whole story in about 30 s', () => {
    expect(parseDemoArgs([], '/repo')).toEqual({ durationS: 30, rate: 150, outDir: '/repo/.artifacts/demo', metricsPort: 9464, seed: 42, quiet: false });
  });

  it('reads every flag; port 0 means any free port', () => {
    const args = parseDemoArgs(['--duration', '8', '--rate', '100', '--out', 'x', '--metrics-port', '0', '--seed', '7', '--quiet'], '/repo');
    expect(args).toEqual({ durationS: 8, rate: 100, outDir: '/repo/x', metricsPort: 0, seed: 7, quiet: true });
  });

  it('returns undefined for --help', () => expect(parseDemoArgs(['--help'])).toBeUndefined());

  it.each([
    [['--duration', '1']],
    [['--rate', 'fast']],
    [['--metrics-port', '70000']],
    [['--nope']],
    [['--rate', '']],
  ])('rejects %j with a UsageError', (argv) => expect(() => parseDemoArgs(argv)).toThrow(UsageError));
});
