import { createMqttV1Driver } from './mqtt-v1/driver.js';
import type { DriverFactory } from './types.js';

/**
 * Every reader protocol the gateway speaks: a new protocol is one folder under drivers/
 * and one line here (design.md §3).
 */
export const DRIVERS: Readonly<Record<string, DriverFactory>> = {
  'mqtt-v1': createMqttV1Driver,
};

export const DRIVER_NAMES = Object.keys(DRIVERS);
