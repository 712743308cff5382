import { describe, expect, it } from 'vitest';
import { parseInstanceList } from '../instance/entry.js';
import { InstanceRecord } from '../instance/instance.js';
import { planMembership } from './membership.js';

function specs(...entries: unknown[]) {
  return parseInstanceList(entries, 'test').specs;
}

function table(...entries: unknown[]): Map<string, InstanceRecord> {
  return new Map(specs(...entries).map((s) => [s.id, new InstanceRecord(s, 'healthy')]));
}

describe('planMembership', () => {
  it('matches entries to records by normalised origin: kept, joining and leaving', () => {
    const records = table('http://10.0.0.1:80', 'http://10.0.0.2:80');
    const plan = planMembership(records, specs('http://10.0.0.1', 'http://10.0.0.3'));
    expect(plan.kept.map(([r]) => r.id)).toEqual(['http://10.0.0.1']);
    expect(plan.joining.map((s) => s.id)).toEqual(['http://10.0.0.3']);
    expect(plan.leaving.map((r) => r.id)).toEqual(['http://10.0.0.2']);
    expect(plan.updated).toBe(0);
  });

  it('counts a kept record whose weight or zone changed as updated, and hands over the new spec', () => {
    const records = table({ url: 'http://10.0.0.1', weight: 1 }, { url: 'http://10.0.0.2', zone: 'a' }, 'http://10.0.0.3');
    const plan = planMembership(records, specs({ url: 'http://10.0.0.1', weight: 3 }, { url: 'http://10.0.0.2', zone: 'b' }, 'http://10.0.0.3'));
    expect(plan.updated).toBe(2);
    expect(plan.kept.map(([, s]) => [s.weight, s.zone])).toEqual([[3, undefined], [1, 'b'], [1, undefined]]);
  });

  it('does not drain a record twice: one already draining is not leaving again', () => {
    const records = table('http://10.0.0.1', 'http://10.0.0.2');
    records.get('http://10.0.0.2')!.draining = { since: 0, timer: { cancel() {} } };
    expect(planMembership(records, specs('http://10.0.0.1')).leaving).toEqual([]);
  });

  it('has no side effects on the records it reads', () => {
    const records = table({ url: 'http://10.0.0.1', weight: 1 });
    planMembership(records, specs({ url: 'http://10.0.0.1', weight: 5 }));
    expect(records.get('http://10.0.0.1')!.spec.weight).toBe(1);
  });
});
