/** What follows a service's instance table (the health checker), and what it reports back. */
import type { InstanceRecord } from '../instance/instance.js';

/** Something that follows the instance table (the health checker). */
export interface InstanceWatcher {
  added(record: InstanceRecord): void;
  removed(record: InstanceRecord): void;
  close(): Promise<void>;
}

/** What one finished health check tells the service. */
export interface HealthReport {
  readonly passed: boolean;
  /** The instance's health after this check (the checker's thresholds applied). */
  readonly health: 'healthy' | 'unhealthy';
  /** A pass ends an outlier ejection early (`healthCheck.unejectOnPass`). */
  readonly unejectOnPass: boolean;
}
