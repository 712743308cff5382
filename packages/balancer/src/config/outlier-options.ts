/**
 * Outlier detection options (`services.<name>.outlierDetection`): Envoy's detectors, their
 * enforcement and ejection times. Part of the options in `options.ts`.
 */

/** One detector's enforcement: how many failures, and the share of detections acted on. */
export interface DetectorOptions {
  /** Failures in a row that trigger ejection. */
  readonly threshold?: number;
  /**
   * Percentage (0-100) of detections that actually eject; the rest are logged and counted as
   * dry runs. 0 makes the detector a pure dry run.
   */
  readonly enforcingPercent?: number;
}

/** Passive outlier detection of a service (`services.<name>.outlierDetection`), after Envoy's. */
export interface OutlierDetectionOptions {
  /**
   * Consecutive instance failures (5xx or transport). Default `{ threshold: 5, enforcingPercent: 100 }`.
   * A number is the threshold: `consecutiveFailures: 3` is `{ threshold: 3 }`.
   */
  readonly consecutiveFailures?: DetectorOptions | number | false;
  /**
   * Consecutive gateway failures (502/503/504 or transport). Default
   * `{ threshold: 5, enforcingPercent: 0 }` (Envoy: detected, not enforced). A number is the
   * threshold, and the enforcing percentage keeps its default (0: a dry run).
   */
  readonly consecutiveGatewayFailures?: DetectorOptions | number | false;
  /** Success-rate outlier detection, evaluated every interval. */
  readonly successRate?: SuccessRateOptions | false;
  /**
   * Failure-percentage outlier detection, evaluated every interval. A number is the threshold
   * (`failurePercentage: 90` is `{ threshold: 90 }`; enforcing stays 0 unless given).
   */
  readonly failurePercentage?: FailurePercentageOptions | number | false;
  /** How often success rate and failure percentage are evaluated, ms. Default 10,000. */
  readonly intervalMs?: number;
  /** Ejection time for the first ejection, ms; multiplied by the number of ejections. Default 30,000. */
  readonly baseEjectionMs?: number;
  /** Cap on the ejection time, ms. Default 300,000. */
  readonly maxEjectionMs?: number;
  /** A random 0..jitter ms is added to each ejection time. Default 0 (Envoy). */
  readonly ejectionJitterMs?: number;
  /**
   * Max percentage of instances ejected at once; at least one may always be ejected. Default 33
   * (not Envoy's 10): the largest cap that never ejects a service into panic at the default panic
   * threshold (50%), while letting a fleet of 5 or 10 eject two bad instances (README, design notes).
   */
  readonly maxEjectionPercent?: number;
}

export interface SuccessRateOptions {
  /** Instances with enough requests needed before it runs. Default 5. */
  readonly minimumHosts?: number;
  /** Requests per instance in the interval for it to count. Default 100. */
  readonly requestVolume?: number;
  /** Ejects below mean - stdevFactor x stdev. Default 1.9. */
  readonly stdevFactor?: number;
  /** Percentage of detections enforced. Default 100. */
  readonly enforcingPercent?: number;
}

export interface FailurePercentageOptions {
  /** Failure percentage at or above which an instance is ejected. Default 85. */
  readonly threshold?: number;
  /** Instances with enough requests needed before it runs. Default 5. */
  readonly minimumHosts?: number;
  /** Requests per instance in the interval for it to count. Default 50. */
  readonly requestVolume?: number;
  /** Percentage of detections enforced. Default 0 (Envoy: off unless enforced). */
  readonly enforcingPercent?: number;
}
