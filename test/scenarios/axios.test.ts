import { axiosDriver } from '../drivers/axios.js';
import { defineScenarios } from './table.js';

defineScenarios(axiosDriver);
