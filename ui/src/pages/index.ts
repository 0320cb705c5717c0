import type { Page } from '../page.js';
import { alertPage, alertsPage } from './alerts.js';
import { auditPage } from './audit.js';
import { configPage } from './config.js';
import { devicesPage } from './devices.js';
import { householdFilePage, householdsPage } from './households.js';
import { livePage } from './live.js';
import { overviewPage } from './overview.js';
import { passwordPage } from './password.js';
import { usersPage } from './users.js';

/**
 * Every page, in menu order. A new page (the ledger, visitors, the monthly report) is
 * one module and one line here.
 */
export const PAGES: Page[] = [
  overviewPage,
  livePage,
  alertsPage,
  alertPage,
  householdsPage,
  householdFilePage,
  devicesPage,
  auditPage,
  usersPage,
  configPage,
  passwordPage,
];
