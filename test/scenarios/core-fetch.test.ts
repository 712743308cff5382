import { coreFetchDriver } from '../drivers/core-fetch.js';
import { defineScenarios } from './table.js';

defineScenarios(coreFetchDriver);
