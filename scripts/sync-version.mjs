// After `changeset version`: the core reports its version as the OpenTelemetry meter's scope
// version from a constant (it never reads its own package.json at run time); copy it there.
import { readFileSync, writeFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../packages/balancer/package.json', import.meta.url), 'utf8'));
const file = new URL('../packages/balancer/src/metrics/version.ts', import.meta.url);
const source = readFileSync(file, 'utf8');
const next = source.replace(/export const VERSION = '[^']*';/, `export const VERSION = '${version}';`);
if (!next.includes(`'${version}'`)) throw new Error('version.ts: VERSION constant not found');
writeFileSync(file, next);
console.log(`packages/balancer/src/metrics/version.ts: VERSION = '${version}'`);
