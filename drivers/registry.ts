import { createDahuaDriver } from './dahua/driver.js';
import { createFingerprintDriver } from './fingerprint/driver.js';
import { createHikvisionDriver } from './hikvision-isapi/driver.js';
import { createIdCardDriver } from './idcard/driver.js';
import { createModbusRelayDriver } from './modbus-relay/driver.js';
import { createMqttV1Driver } from './mqtt-v1/driver.js';
import { createOnvifDriver } from './onvif/driver.js';
import type { DriverFactory } from './types.js';
import { createWiegandDriver } from './wiegand/driver.js';

/**
 * Every reader protocol the gateway speaks: a new protocol is one folder under drivers/
 * and one line here (design.md §3).
 */
export const DRIVERS: Readonly<Record<string, DriverFactory>> = {
  'mqtt-v1': createMqttV1Driver,
  fingerprint: createFingerprintDriver,
  idcard: createIdCardDriver,
  wiegand: createWiegandDriver,
  'modbus-relay': createModbusRelayDriver,
  'hikvision-isapi': createHikvisionDriver,
  dahua: createDahuaDriver,
  onvif: createOnvifDriver,
};

export const DRIVER_NAMES = Object.keys(DRIVERS);
