/**
 * The package version, reported as the meter's instrumentation scope version. Hardcoded so the
 * package never imports its own package.json at runtime; a test keeps it equal to package.json.
 */
export const VERSION = '0.1.0';
