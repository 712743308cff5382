// `node --import ./scripts/got16-alias.mjs`: resolve `got` to got 16 in this process (see got16-hooks.mjs).
import { register } from 'node:module';

register('./got16-hooks.mjs', import.meta.url);
