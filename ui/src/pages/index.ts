import type { Page } from '../page.js';
import { alertPage, alertsPage } from './alerts.js';
import { auditPage } from './audit.js';
import { casePage } from './case.js';
import { casesPage } from './cases.js';
import { configPage } from './config.js';
import { devicesPage } from './devices.js';
import { householdFilePage, householdsPage } from './households.js';
import { livePage } from './live.js';
import { overviewPage } from './overview.js';
import { passwordPage } from './password.js';
import { reportsPage } from './reports.js';
import { usersPage } from './users.js';
import { visitorsPage } from './visitors.js';

/**
 * Every page, in menu order. A new page is one module and one line here; a page reached
 * only by links (an alert, a case, a household file) lights its list in the menu.
 */
export const PAGES: Page[] = [
  overviewPage,
  livePage,
  alertsPage,
  alertPage,
  casesPage,
  casePage,
  householdsPage,
  householdFilePage,
  visitorsPage,
  reportsPage,
  devicesPage,
  auditPage,
  usersPage,
  configPage,
  passwordPage,
];
