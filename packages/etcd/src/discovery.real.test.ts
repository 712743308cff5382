/**
 * etcdDiscovery against a real etcd (testkit's startEtcd): the read, the watch, restarts,
 * compaction, invalid entries.
 */
import { execFileSync } from 'node:child_process';
import type { DiscoverySink, Runtime } from '@datapunk/balancer/adapter';
import { realRuntime } from '@datapunk/balancer/testing';
import { etcdAvailable, startEtcd, type EtcdServer } from '@datapunk/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { etcdDiscovery, type EtcdDiscovery, type EtcdDiscoveryOptions } from './discovery.js';
import { betweenReadAndWatch, captureLogger, raw, waitFor } from './etcd.test-helpers.js';

const entry = (port: number): string => JSON.stringify({ url: `http://127.0.0.1:${port}` });

/** A sink that records each delivered list (as origins) and each error. */
function recorder(): DiscoverySink & { lists: string[][]; rejected: string[][]; errors: unknown[]; last(): string[] | undefined } {
  const lists: string[][] = [];
  const rejected: string[][] = [];
  const errors: unknown[] = [];
  return {
    lists,
    rejected,
    errors,
    last: () => lists.at(-1),
    update: (entries, details) => {
      lists.push(entries.map((e) => (e as { url: string }).url));
      rejected.push((details?.rejected ?? []).map((r) => r.path));
    },
    error: (error) => errors.push(error),
  };
}

describe.skipIf(!etcdAvailable())('etcdDiscovery (real etcd)', () => {
  let etcd: EtcdServer;
  const sources: EtcdDiscovery[] = [];
  let counter = 0;

  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterEach(async () => {
    await Promise.all(sources.splice(0).map((s) => s.close()));
  });
  afterAll(() => etcd?.close());

  /** A source for a fresh service name, with short backoffs. */
  function source(options: Partial<EtcdDiscoveryOptions> = {}): { service: string; dir: string; source: EtcdDiscovery } {
    const service = `svc${++counter}`;
    const s = etcdDiscovery({ endpoints: etcd.endpoint, service, backoffBaseMs: 20, backoffMaxMs: 200, ...options });
    sources.push(s);
    return { service, dir: `/datapunk/services/${service}/`, source: s };
  }

  it('delivers the complete list, then the complete list again after every change', async () => {
    const { dir, source: s } = source();
    await raw.put(etcd.endpoint, `${dir}a`, entry(1001));
    await raw.put(etcd.endpoint, `${dir}b`, entry(1002));
    await raw.put(etcd.endpoint, '/datapunk/services/other/x', entry(1999)); // another service: not ours
    const sink = recorder();
    s.start(sink);
    await waitFor('the first list', () => sink.lists.length === 1);
    expect(sink.last()).toEqual(['http://127.0.0.1:1001', 'http://127.0.0.1:1002']);

    await raw.put(etcd.endpoint, `${dir}c`, entry(1003));
    await waitFor('the added key', () => sink.last()?.length === 3);
    await raw.delete(etcd.endpoint, `${dir}a`);
    await waitFor('the deleted key', () => sink.last()?.length === 2);
    expect(sink.last()).toEqual(['http://127.0.0.1:1002', 'http://127.0.0.1:1003']);
    await raw.put(etcd.endpoint, `${dir}b`, JSON.stringify({ url: 'http://127.0.0.1:1002', weight: 5 }));
    await waitFor('the changed weight', () => sink.lists.length === 4);
    expect(s.revision).toBe(await raw.revision(etcd.endpoint));
    expect(sink.errors).toEqual([]);
  });

  it('delivers an empty directory as an empty list (every instance drains)', async () => {
    const { dir, source: s } = source();
    await raw.put(etcd.endpoint, `${dir}a`, entry(1001));
    const sink = recorder();
    s.start(sink);
    await waitFor('the first list', () => sink.lists.length === 1);
    await raw.delete(etcd.endpoint, `${dir}a`);
    await waitFor('the empty list', () => sink.lists.length === 2);
    expect(sink.last()).toEqual([]);
  });

  it('skips invalid entries, reporting them by key with each list, and keeps the last good list when all are invalid', async () => {
    const { dir, source: s } = source({});
    await raw.put(etcd.endpoint, `${dir}good`, entry(1001));
    await raw.put(etcd.endpoint, `${dir}bad`, '{"url":');
    const sink = recorder();
    s.start(sink);
    await waitFor('the first list', () => sink.lists.length === 1);
    expect(sink.last()).toEqual(['http://127.0.0.1:1001']);
    expect(sink.rejected.at(-1)).toEqual([`${dir}bad`]);

    // More changes: the bad key is still reported with each list (the balancer logs it).
    await raw.put(etcd.endpoint, `${dir}good2`, entry(1002));
    await waitFor('the second list', () => sink.lists.length === 2);
    expect(sink.rejected.at(-1)).toEqual([`${dir}bad`]);

    // Every remaining entry invalid: not applied, reported as an error instead.
    await raw.put(etcd.endpoint, `${dir}good`, 'not json');
    await waitFor('the third list', () => sink.last()?.length === 1);
    await raw.put(etcd.endpoint, `${dir}good2`, JSON.stringify({ url: 42 }));
    await waitFor('the all-invalid error', () => sink.errors.length === 1);
    expect(sink.errors[0]).toMatchObject({ code: 'ERR_ETCD_INVALID_LIST', message: expect.stringContaining('every one of 3 entries') });
    expect(sink.lists).toHaveLength(3);
    expect(sink.rejected.at(-1)).toEqual([`${dir}bad`, `${dir}good`]);

    // Repaired: delivered again.
    await raw.put(etcd.endpoint, `${dir}good2`, entry(1002));
    await waitFor('the repaired list', () => sink.lists.length === 4);
    expect(sink.last()).toEqual(['http://127.0.0.1:1002']);
  });

  it('reads again when the watch revision was compacted before the watch started', async () => {
    const log = captureLogger();
    const { dir, source: s } = source({ logger: log });
    await raw.put(etcd.endpoint, `${dir}a`, entry(1001));
    const sink = recorder();
    // Between the read and the watch: write twice and compact past the revision the watch will ask for.
    s.start(betweenReadAndWatch(sink, () => execFileSync(process.execPath, ['--input-type=module', '-e', compactScript(etcd.endpoint, `${dir}b`)])));
    await waitFor('the list after the re-read', () => sink.lists.length === 2);
    expect(sink.last()).toEqual(['http://127.0.0.1:1001', 'http://127.0.0.1:1003']);
    expect(log.lines.some((l) => l.fields['event'] === 'etcd-watch-compacted')).toBe(true);
    expect(sink.errors).toEqual([]);
    await raw.put(etcd.endpoint, `${dir}c`, entry(1004));
    await waitFor('a change after the re-read', () => sink.last()?.length === 3);
  });

  it('survives an etcd crash: reports the error, keeps retrying, reads again and resumes the watch', async () => {
    const log = captureLogger();
    const { dir, source: s } = source({ logger: log });
    await raw.put(etcd.endpoint, `${dir}a`, entry(1001));
    const sink = recorder();
    s.start(sink);
    await waitFor('the first list', () => sink.lists.length === 1);

    await etcd.kill();
    await waitFor('errors reported while etcd is down', () => sink.errors.length >= 2);
    expect(sink.errors[0]).toMatchObject({ code: 'ERR_ETCD_UNAVAILABLE' });
    await etcd.restart();
    // The read after the restart delivers the list again (so the service logs its recovery).
    await waitFor('the list after the restart', () => sink.lists.length === 2);
    expect(sink.last()).toEqual(['http://127.0.0.1:1001']);
    await raw.put(etcd.endpoint, `${dir}b`, entry(1002));
    await waitFor('a change made after the restart', () => sink.last()?.length === 2);
    const failures = log.lines.filter((l) => l.fields['event'] === 'etcd-discovery-failed');
    expect(failures[0]?.level).toBe('warn');
    expect(failures.slice(1).every((l) => l.level === 'debug')).toBe(true);
    expect(log.lines.some((l) => l.fields['event'] === 'etcd-discovery-recovered')).toBe(true);
  });

  it('close() stops the watch and leaves no timer running', async () => {
    const timers = countingRuntime();
    const { source: s } = source({ watchCheckIntervalMs: 50, runtime: timers.runtime });
    // etcd forgets the earlier tests' closed watches a moment after their connections close.
    await waitFor('no watch left from earlier tests', async () => (await raw.watchers(etcd.endpoint)) === 0);
    const sink = recorder();
    s.start(sink);
    await waitFor('the first list', () => sink.lists.length === 1);
    await waitFor('the watch on the server', async () => (await raw.watchers(etcd.endpoint)) === 1);
    await waitFor('a few liveness checks', () => timers.created() > 4);
    expect(timers.pending()).toBeGreaterThan(0);
    await s.close();
    expect(timers.pending()).toBe(0);
    await waitFor('the watch gone from the server', async () => (await raw.watchers(etcd.endpoint)) === 0);
    await raw.put(etcd.endpoint, `${s.directory}late`, entry(1001));
    await raw.revision(etcd.endpoint);
    expect(sink.lists).toHaveLength(1);
    expect(sink.errors).toEqual([]);
  });
});

/** The real runtime, counting timers scheduled and not yet fired or cancelled. */
function countingRuntime(): { runtime: Runtime; pending: () => number; created: () => number } {
  const pending = new Set<object>();
  let created = 0;
  const runtime: Runtime = {
    ...realRuntime,
    setTimeout(fn, delayMs, options) {
      const id = {};
      pending.add(id);
      created++;
      const timer = realRuntime.setTimeout(
        () => {
          pending.delete(id);
          fn();
        },
        delayMs,
        options,
      );
      return {
        cancel() {
          pending.delete(id);
          timer.cancel();
        },
      };
    },
  };
  return { runtime, pending: () => pending.size, created: () => created };
}

/** A script for a synchronous child: two puts to `key`, then a compaction at the last revision. */
function compactScript(endpoint: string, key: string): string {
  return `
    const b64 = (s) => Buffer.from(s).toString('base64');
    const post = async (path, body) => (await fetch('${endpoint}' + path, { method: 'POST', body: JSON.stringify(body) })).json();
    await post('/v3/kv/put', { key: b64('${key}'), value: b64(JSON.stringify({ url: 'http://127.0.0.1:1002' })) });
    const res = await post('/v3/kv/put', { key: b64('${key}'), value: b64(JSON.stringify({ url: 'http://127.0.0.1:1003' })) });
    await post('/v3/kv/compaction', { revision: res.header.revision, physical: true });
  `;
}
