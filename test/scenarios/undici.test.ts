import { globalFetchDriver, undiciFetchDriver, undiciRequestDriver } from '../drivers/undici.js';
import { defineScenarios } from './table.js';

defineScenarios(undiciRequestDriver);
defineScenarios(undiciFetchDriver);
defineScenarios(globalFetchDriver);
