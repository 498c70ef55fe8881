// Every page of the dashboard, in the sidebar's order: the router, the sidebar, the topbar's
// label and the command palette all read this one table.
import type { FunctionComponent } from 'preact';
import { Overview } from './pages/overview';
import { NewScan } from './pages/new-scan';
import { ScanDetail } from './pages/scan-detail';
import { History } from './pages/history';
import { Diff } from './pages/diff';
import { Compare } from './pages/compare';
import { Sbom } from './pages/sbom';
import { Scanners } from './pages/scanners';
import { Notifications } from './pages/notifications';
import { Keys } from './pages/keys';
import { Webhooks } from './pages/webhooks';

export interface Page {
  path: string;
  label: string;
  group?: 'Scans' | 'Reports' | 'Settings';
  /** The scope a caller needs to see the page in the navigation. */
  scope?: 'admin';
  view: FunctionComponent<{ params: Record<string, string> }>;
}

export const PAGES: Page[] = [
  { path: '/', label: 'Overview', group: 'Scans', view: Overview },
  { path: '/scan', label: 'New scan', group: 'Scans', view: NewScan },
  { path: '/history', label: 'History', group: 'Scans', view: History },
  { path: '/diff', label: 'Diff', group: 'Reports', view: Diff },
  { path: '/compare', label: 'Compare', group: 'Reports', view: Compare },
  { path: '/sbom', label: 'SBOM', group: 'Reports', view: Sbom },
  { path: '/scanners', label: 'Scanners', group: 'Settings', view: Scanners },
  { path: '/notifications', label: 'Notifications', group: 'Settings', view: Notifications },
  { path: '/settings/keys', label: 'API keys', group: 'Settings', scope: 'admin', view: Keys },
  { path: '/settings/webhooks', label: 'Webhooks', group: 'Settings', scope: 'admin', view: Webhooks },
  { path: '/scan/:id', label: 'Scan', view: ScanDetail },
];
