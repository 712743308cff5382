/**
 * Frozen metric attribute objects, built once and reused, so recording an event allocates
 * nothing once warm: the service's base attributes, each instance's (`server.address`,
 * `server.port`, `url.scheme`, unless `metrics.perInstance` is off), and either of them plus one
 * enumerated attribute (a reason, a result).
 */
import type { Attributes } from '@opentelemetry/api';
import type { Instance } from '../instance/instance.js';
import type { AttributeKey } from './instruments.js';

export class AttributeCache {
  /** `{ datapunk.balancer.service }`. */
  readonly base: Attributes;
  private readonly instances = new WeakMap<Instance, Attributes>();
  /** Owner (an instance's attributes, or `base`) -> key -> value -> attributes. */
  private readonly extended = new WeakMap<Attributes, Map<AttributeKey, Map<string, Attributes>>>();

  constructor(
    service: string,
    private readonly perInstance: boolean,
  ) {
    this.base = Object.freeze({ 'datapunk.balancer.service': service });
  }

  /**
   * `{ service, server.address, server.port, url.scheme }`, or `base` when instances are not
   * distinguished. IPv6 hosts lose their URL brackets, as the conventions write addresses.
   */
  instance(instance: Instance): Attributes {
    if (!this.perInstance) return this.base;
    let a = this.instances.get(instance);
    if (!a) {
      const host = instance.host.startsWith('[') && instance.host.endsWith(']') ? instance.host.slice(1, -1) : instance.host;
      a = Object.freeze({ ...this.base, 'server.address': host, 'server.port': instance.port, 'url.scheme': instance.protocol.slice(0, -1) });
      this.instances.set(instance, a);
    }
    return a;
  }

  /** `owner` (default `base`) plus `key: value`, cached (for events that can come in bursts). */
  cached(key: AttributeKey, value: string, owner: Attributes = this.base): Attributes {
    let byKey = this.extended.get(owner);
    if (!byKey) this.extended.set(owner, (byKey = new Map()));
    let byValue = byKey.get(key);
    if (!byValue) byKey.set(key, (byValue = new Map()));
    let a = byValue.get(value);
    if (!a) byValue.set(value, (a = with1(owner, key, value)));
    return a;
  }
}

/** `attributes` plus one, frozen (not cached: for values that vary freely). */
export function with1(attributes: Attributes, key: AttributeKey, value: string): Attributes {
  return Object.freeze({ ...attributes, [key]: value });
}
