/**
 * Which copy of axios an instance belongs to. axios ships two builds: ESM (`index.js`, what this
 * package imports) and CommonJS (`dist/node/axios.cjs`, what `require('axios')` gives). In a
 * CommonJS program the two are loaded side by side, each with its own classes, so errors built
 * by the ESM copy (ours, and those of the ESM copy's http adapter) failed
 * `e instanceof axios.AxiosError` there. The balanced adapter therefore sends attempts through,
 * and builds errors with, the copy the caller's instance comes from.
 */
import { createRequire } from 'node:module';
import axios from 'axios';

/** What the adapter uses of the axios module. */
export type AxiosModule = Pick<typeof axios, 'AxiosError' | 'AxiosHeaders' | 'CanceledError' | 'getAdapter' | 'defaults'>;

/** What identifies an instance's copy: its interceptor manager's prototype. */
interface WithInterceptors {
  readonly interceptors: { readonly request: object };
}

let commonJs: AxiosModule | null | undefined;

/** The CommonJS copy, loaded only when an instance is not from the ESM one; null when it cannot be. */
function commonJsCopy(): AxiosModule | null {
  if (commonJs === undefined) {
    try {
      commonJs = createRequire(import.meta.url)('axios') as AxiosModule;
    } catch {
      commonJs = null;
    }
  }
  return commonJs;
}

const managerOf = (instance: WithInterceptors): unknown => Object.getPrototypeOf(instance.interceptors.request);

/** The axios module `instance` was created by: the ESM copy, else the CommonJS one; the ESM copy when neither. */
export function axiosModuleOf(instance: WithInterceptors): AxiosModule {
  const manager = managerOf(instance);
  if (manager === managerOf(axios)) return axios;
  const cjs = commonJsCopy();
  return cjs && manager === managerOf(cjs as unknown as WithInterceptors) ? cjs : axios;
}
