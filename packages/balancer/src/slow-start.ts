/**
 * Slow start: a newly joined or recovered instance's weight ramps up over a window, so a cold
 * instance is not flooded at once (Envoy's formula).
 */

/**
 * The weight factor `elapsedMs` into a ramp: max(minWeight, (elapsed / window) ^ (1 / aggression)),
 * or 1 once the window has passed (or when slow start is off, `windowMs` = 0).
 */
export function slowStartFactor(elapsedMs: number, windowMs: number, aggression: number, minWeight: number): number {
  if (windowMs <= 0 || elapsedMs >= windowMs) return 1;
  const t = Math.max(0, elapsedMs) / windowMs;
  return Math.max(minWeight, Math.pow(t, 1 / aggression));
}
