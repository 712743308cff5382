import { gotDriver } from '../drivers/got.js';
import { defineScenarios } from './table.js';

defineScenarios(gotDriver);
