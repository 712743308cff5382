/** Renders bench/RESULTS.md from the result; pure, so the test can check it. */
import { BAD, type BadInstance, type FaultRow, type InstanceTraffic } from '../faults/faults.js';
import type { BenchResult, PartName } from './result.js';

const fmt = (n: number | undefined, digits = 1): string => (n === undefined || Number.isNaN(n) ? '–' : n.toLocaleString('en-US', { maximumFractionDigits: digits }));
const int = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
const mark = (met: boolean | null): string => (met === null ? 'not measured' : met ? 'met' : '**not met**');

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function pickCostSection(r: NonNullable<BenchResult['pickCost']>): string {
  const sizes = [...new Set(r.rows.map((x) => x.instances))].sort((a, b) => a - b);
  const largest = sizes.at(-1)!;
  const strategies = [...new Set(r.rows.map((x) => x.strategy))];
  const rows = strategies.map((s) => {
    const byN = new Map(r.rows.filter((x) => x.strategy === s).map((x) => [x.instances, x]));
    const growth = r.heapGrowth.find((g) => g.strategy === s);
    return [
      `\`${s}\``,
      ...sizes.map((n) => (byN.has(n) ? `${byN.get(n)!.pickNs} (${byN.get(n)!.cycleNs})` : '–')),
      `x${byN.get(largest)?.growth ?? '–'}`,
      int(byN.get(largest)?.heapBytesPerInstance ?? NaN),
      growth ? `${int(growth.growthBytes)} B` : '–',
    ];
  });
  const cycles = r.heapGrowth[0];
  return [
    '## 1. Pick cost',
    '',
    `Median ns per pick through a service (pick + done in brackets), one child process per strategy, median of ${r.options.rounds ?? 7} rounds of ${r.options.batches ?? 200} x 1,000 picks. ` +
      `Growth: pick cost at ${int(largest)} instances / at ${int(sizes[0]!)}. Heap: bytes the balancer retains per instance at ${int(largest)} instances (after GC); ` +
      (cycles ? `heap growth over ${int(cycles.cycles)} pick/done cycles at ${int(cycles.instances)} instances (after GC; a few KB either way is noise).` : ''),
    '',
    table(['strategy', ...sizes.map((n) => `${int(n)} inst. ns`), 'growth', 'heap B/instance', 'heap growth'], rows),
  ].join('\n');
}

function overheadSection(o: NonNullable<BenchResult['overhead']>): string {
  const signed = (x: number | undefined): string => (x === undefined ? '–' : `${x > 0 ? '+' : ''}${x}`);
  const parts = (user: number | undefined, sys: number | undefined): string => (user === undefined ? '–' : `${fmt(user)} + ${fmt(sys!)}`);
  const rows = o.rows.map((r) => [r.group, r.client, int(r.rps), fmt(r.p50Ms, 2), fmt(r.p99Ms, 2), fmt(r.cpuUsPerRequest), parts(r.userUsPerRequest, r.sysUsPerRequest), r.errors ? String(r.errors) : '0']);
  const ratios = o.ratios.map((r) => [r.client, r.baseline, r.rpsRatio.toFixed(3), r.p99Ratio.toFixed(2), r.cpuRatio.toFixed(2), signed(r.extraCpuUs), `${signed(r.extraUserUs)} / ${signed(r.extraSysUs)}`]);
  const n = o.nullTransport;
  return [
    '## 2. Overhead on a healthy fleet',
    '',
    `4 loopback testkit instances (healthy, answering at once) in a separate process; closed loop, ${o.options.concurrency} requests in flight, ` +
      `${o.options.rounds} interleaved rounds of ${o.options.runMs / 1000} s per client (order reversed every other round) after a ${o.options.warmupMs / 1000} s warm-up each. ` +
      'Figures are medians over rounds; ratios are medians of the per-round ratios (same round, adjacent runs). ' +
      'CPU µs/req is the client process CPU time (user + system) per request. On loopback it falls as throughput rises (fewer wakeups and syscalls per request), ' +
      'so a slower client also pays more kernel time per request: compare it at similar req/s, and see the cost without a network below for our code alone. ' +
      'The kernel part (sys) is mostly socket writes, and on loopback a write also delivers the bytes to the fleet process and wakes it when it was idle, ' +
      'which it is more often when the client is slower: any extra work in the client shows up there as well as in user time. ' +
      'Balanced clients use the same balancer configuration as the fault run (default strategy `peak-ewma`, health checks, per-attempt timeout). ' +
      '"undici raw + no-op interceptor" is a control: the same round robin by hand through `agent.compose()` with an interceptor that does nothing, i.e. what any undici interceptor costs ' +
      '(`withBalancer` does not pay it: it hands each attempt to the agent in its caller\'s handler API, without `compose()`).',
    '',
    table(['group', 'client', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'user + sys', 'errors'], rows),
    '',
    table(['client', 'vs', 'req/s ratio', 'p99 ratio', 'CPU ratio', 'extra CPU µs/req', 'extra user / sys'], ratios),
    '',
    `**Cost per request without a network** (undici \`request()\` through a dispatcher answering from memory, ${int(n.requests)} requests x ${n.rounds} interleaved rounds, CPU µs per request): ` +
      `raw undici ${n.rawUs} µs; through a do-nothing interceptor (\`compose()\`) ${n.noopInterceptorUs} µs; through \`withBalancer\` ${n.balancedUs} µs, ` +
      `i.e. **${n.extraUs > 0 ? '+' : ''}${n.extraUs} µs per request** above raw undici and ${n.oursUs > 0 ? '+' : ''}${n.oursUs} µs above the do-nothing interceptor. ` +
      `\`withBalancer\` does not go through \`compose()\` (whose handler wrapping is the ${(n.noopInterceptorUs - n.rawUs).toFixed(2)} µs of the control): ` +
      'what it adds above raw undici is the balancer and its adapter.' +
      (n.heap
        ? ` Heap over ${int(n.heap.requests)} more requests through \`withBalancer\`${n.heap.afterGc ? ' (after a full GC)' : ''}: ${n.heap.beforeMB} MB before, ${n.heap.afterMB} MB after (${n.heap.growthKB > 0 ? '+' : ''}${int(n.heap.growthKB)} KB).`
        : ''),
  ].join('\n');
}

function trafficCell(t: InstanceTraffic | undefined): string {
  if (!t) return '–';
  return `${t.sharePct}% / ${t.stoppedAfterMs === null ? 'never' : `${fmt(t.stoppedAfterMs / 1000)} s`}`;
}

function faultRow(r: FaultRow): string[] {
  if (r.status !== 'ok' || !r.fault || !r.healthy) return [r.contender, `${r.status === 'error' ? 'failed' : 'missing'}: ${r.missing ?? 'not run'}`, '', '', '', '', '', '', '', '', '', ''];
  const bad = (k: BadInstance): string => trafficCell(r.bad?.[k]);
  return [
    r.contender,
    `${r.fault.successPct}%`,
    fmt(r.fault.p50, 1),
    fmt(r.fault.p99, 1),
    fmt(r.fault.p999, 1),
    fmt(r.healthy.p99, 1),
    `x${r.p99VsHealthy}`,
    bad('slow'),
    bad('errors'),
    bad('crash'),
    bad('hang'),
    `${r.crashedShareAfterRestartPct}%`,
  ];
}

function faultsSection(f: NonNullable<BenchResult['faults']>): string {
  const t = f.timeline;
  const onset = (t.warmupMs + t.healthyMs) / 1000;
  const setups = f.rows.map((r) => `- **${r.contender}**: ${r.setup}`);
  return [
    '## 3. Quality under faults',
    '',
    `Fleet: ${f.fleet}. Open loop: ${t.ratePerSec} requests/s at fixed arrival times, latency measured from each request's scheduled send time ` +
      `(so slow answers and client stalls are not hidden), callers' deadline ${t.deadlineMs / 1000} s. Timeline per contender (fresh fleet each): ` +
      `${t.warmupMs / 1000} s warm-up (not counted), ${t.healthyMs / 1000} s all healthy (the "healthy p99"), then at t=${onset} s the four faults start together ` +
      `for ${t.faultMs / 1000} s; the crashed instance restarts ${t.crashForMs / 1000} s after it crashed. Success, p50, p99, p99.9 are over the fault phase. ` +
      'Bad-instance columns: share of all attempts (retries included) it received during its fault (fair share 12.5%) / time from the fault onset until it stopped getting traffic ' +
      '(the first 100 ms boundary after which it got at most 1% of attempts until the end of its fault; "never": it kept getting more). ' +
      'Attempts are counted below the balancer (one per attempt) for the client-side contenders, and from `show stat` (polled every 100 ms) for HAProxy.',
    '',
    `Our balancer (every strategy): \`${f.balancerConfig}\`.`,
    '',
    ...setups,
    '',
    table(
      ['contender', 'success', 'p50 ms', 'p99 ms', 'p99.9 ms', 'healthy p99 ms', 'p99 / healthy', `slow #${BAD.slow}`, `503 #${BAD.errors}`, `crash #${BAD.crash}`, `hang #${BAD.hang}`, 'crashed, after restart'],
      f.rows.map(faultRow),
    ),
    '',
    '<details><summary>HAProxy configuration (generated; ports vary)</summary>',
    '',
    '```',
    f.haproxyConfig.trim(),
    '```',
    '',
    '</details>',
  ].join('\n');
}

function capacitySection(c: NonNullable<BenchResult['capacity']>): string {
  const scenarios = c.scenarios.map((s) => `- **${s.name}**: ${s.text}`);
  const rows = c.rows.map((r) =>
    r.status !== 'ok'
      ? [r.scenario, r.contender, `${r.status}: ${r.missing ?? ''}`, '', '', '', '', '', '']
      : [
          r.scenario,
          r.contender,
          `${fmt(r.successPct, 2)}%`,
          fmt(r.p50, 1),
          fmt(r.p99, 1),
          `${fmt(r.leastShare, 2)}x .. ${fmt(r.worstShare, 2)}x`,
          r.recoveredAfterMs === undefined ? '' : r.recoveredAfterMs === null ? 'not in run' : `${fmt(r.recoveredAfterMs / 1000, 1)} s`,
          `${fmt(r.maxQueued, 0)} / ${fmt(r.meanQueued, 2)}`,
          fmt(r.refused, 0),
        ],
  );
  return [
    '## 4. Fleets with capacity',
    '',
    'Instances with workers and a queue (testkit `capacity`, in their own process), several independent clients (one balancer and one Agent each; HAProxy: one proxy shared by all clients, or one per client as sidecars), open-loop arrivals dealt to the clients in turn. ' +
      `Shares: attempts per instance in consecutive 1 s windows, relative to the fair share, over the healthy instances only (smallest .. largest of any instance in any window). ` +
      'Recovery: from the end of the slow phase until the first 1 s window in which the instance got at least half its fair share. Queue: most requests waiting at any instance / largest time-weighted mean; refused: 503 because the queue was full. ' +
      `Figures are medians over ${c.rows.find((r) => r.rounds)?.rounds ?? 1} round(s), contenders interleaved.`,
    '',
    ...scenarios,
    '',
    table(['scenario', 'contender', 'success', 'p50 ms', 'p99 ms', '1 s share (healthy)', 'back at half share', 'queue max / mean', 'refused'], rows),
  ].join('\n');
}

const PART_TITLES: Record<PartName, string> = { pick: 'pick cost', overhead: 'overhead', faults: 'faults', capacity: 'capacity' };

/** When parts were measured at different times (`--only` kept the others): which, and when. */
function measuredNote(measured: Partial<Record<PartName, string>> | undefined): string {
  if (measured === undefined || new Set(Object.values(measured)).size <= 1) return '';
  const list = Object.entries(measured).map(([part, date]) => `${PART_TITLES[part as PartName]} on ${date}`);
  return ` Parts measured in separate runs (\`pnpm bench --only\`): ${list.join(', ')}.`;
}

export function renderMarkdown(result: BenchResult): string {
  const m = result.meta;
  const parts = [
    '# Benchmark results',
    '',
    `Generated by \`pnpm bench\`${m.mode === 'quick' ? ' (quick mode: shortened, figures are indicative only)' : m.mode === 'custom' ? ' (some parts or strategies only, full length)' : ''} on ${m.date}, ` +
      `Node ${m.node}, ${m.cpu} (${m.cores} cores), ${m.platform}; load average at start ${m.loadavg.join(' / ')}; took ${Math.round(m.durationS)} s. ` +
      `HAProxy: ${m.haproxy ?? 'not installed (apt-get install haproxy)'}.` +
      measuredNote(m.measured),
    '',
    '> The load generator, the fleet (one separate Node process) and HAProxy all share this machine, ' +
      'whose cores are also shared with other work: absolute figures move from run to run. Read them side by side within a table ' +
      '(contenders of a table ran in the same conditions, the overhead ones interleaved), and as ratios.',
    '',
    '## Goals',
    '',
    table(['goal', 'figure', 'status'], result.goals.map((g) => [g.goal, g.figure, mark(g.met)])),
  ];
  if (result.pickCost) parts.push('', pickCostSection(result.pickCost));
  if (result.overhead) parts.push('', overheadSection(result.overhead));
  if (result.faults) parts.push('', faultsSection(result.faults));
  if (result.capacity) parts.push('', capacitySection(result.capacity));
  return parts.join('\n') + '\n';
}
