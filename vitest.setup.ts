/**
 * Global test setup. fast-check: a failing property is shrunk to a small counterexample, which
 * for expensive properties can take minutes; bound every property (runs and shrinking) in time
 * so a failure is reported promptly instead of stalling the suite.
 */
import fc from 'fast-check';

fc.configureGlobal({ interruptAfterTimeLimit: 20_000, markInterruptAsFailure: true });
