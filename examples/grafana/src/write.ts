/** Rewrites `examples/grafana/balancer-dashboard.json` from the instrument table. */
import { writeFileSync } from 'node:fs';
import { dashboardJson } from './dashboard.js';

const file = new URL('../balancer-dashboard.json', import.meta.url);
writeFileSync(file, dashboardJson());
console.log(`wrote ${file.pathname}`);
