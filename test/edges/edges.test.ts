import { axiosDriver } from '../drivers/axios.js';
import { gotDriver } from '../drivers/got.js';
import { globalFetchDriver, undiciFetchDriver, undiciRequestDriver } from '../drivers/undici.js';
import { defineEdgeCases } from './cases.js';

defineEdgeCases({ ...axiosDriver, followsRedirects: true, buffersBody: true });
defineEdgeCases({ ...gotDriver, followsRedirects: true, buffersBody: true });
defineEdgeCases({ ...undiciRequestDriver, followsRedirects: false, buffersBody: false });
defineEdgeCases({ ...undiciFetchDriver, followsRedirects: true, buffersBody: false });
defineEdgeCases({ ...globalFetchDriver, followsRedirects: true, buffersBody: false });
