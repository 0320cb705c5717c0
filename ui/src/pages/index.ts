import type { Page } from '../page.js';
import { alertPage, alertsPage } from './alerts.js';
import { auditPage } from './audit.js';
import { campaignPage } from './campaign.js';
import { campaignReportPage } from './campaign-report.js';
import { campaignsPage } from './campaigns.js';
import { casePage } from './case.js';
import { casesPage } from './cases.js';
import { configPage } from './config.js';
import { devicesPage } from './devices.js';
import { householdFilePage, householdsPage } from './households.js';
import { inspectHouseholdPage, inspectPage } from './inspect.js';
import { livePage } from './live.js';
import { overviewPage } from './overview.js';
import { passwordPage } from './password.js';
import { patrolsPage } from './patrols.js';
import { reportsPage } from './reports.js';
import { tipsPage } from './tips.js';
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
  // Issue 16: the full inspection (with the inspector's phone page), agency and listing
  // patrols, tips with rewards.
  campaignsPage,
  campaignReportPage,
  campaignPage,
  inspectHouseholdPage,
  inspectPage,
  patrolsPage,
  tipsPage,
  reportsPage,
  devicesPage,
  auditPage,
  usersPage,
  configPage,
  passwordPage,
];
