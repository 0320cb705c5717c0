import type { SessionInfo } from './api-types.js';

/** What a page gets when it is shown. */
export interface PageContext {
  session: SessionInfo;
  /** Whether names are masked for this account (viewer). */
  masked: boolean;
  /** Groups of the hash route after the page's own prefix, e.g. the household id. */
  params: string[];
}

/**
 * One page of the dashboard: a module under pages/ and one line in pages/index.ts.
 * `route` matches the hash path (without '#/'); `nav` puts it in the side menu.
 */
export interface Page {
  id: string;
  route: RegExp;
  /** Chinese title (the i18n key); absent for pages reached only by links. */
  nav?: string;
  /** Weakest role that may open the page. */
  role: SessionInfo['role'];
  /** Draws the page into `root`; may return a cleanup (close streams, timers). */
  render(root: HTMLElement, ctx: PageContext): Promise<(() => void) | undefined>;
}

const ORDER = ['viewer', 'operator', 'admin'];

/** Whether a role may open a page. */
export function allowed(role: SessionInfo['role'], page: Page): boolean {
  return ORDER.indexOf(role) >= ORDER.indexOf(page.role);
}
