// Overview, History, Diff, Compare and SBOM against a real server with real scans: two scans of
// one tree with a finding fixed and another added between them, and a tree with lockfiles.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Page } from '@playwright/test';
import { type Server, seriousViolations, signIn, test, writeVulnerableTree } from './fixtures';

interface Scan {
  id: string;
  target_path: string;
  status: string;
  findings_count: number;
}

const FINISHED = ['completed', 'failed', 'cancelled'];

async function startScan(server: Server, target: string, types = ['code']): Promise<Scan> {
  const created = await server.api('POST', '/api/v1/scans', { target_path: target, scan_types: types });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  return created.body as Scan;
}

async function finished(server: Server, id: string): Promise<Scan> {
  let scan: Scan | undefined;
  await expect
    .poll(
      async () => {
        scan = (await server.api('GET', `/api/v1/scans/${id}`)).body as Scan;
        return FINISHED.includes(scan.status);
      },
      { timeout: 90_000, intervals: [250, 500, 1000] },
    )
    .toBe(true);
  expect(scan!.status).toBe('completed');
  return scan!;
}

/** The page's axe check in both themes (the app starts dark; it is left as it was). */
async function accessibleInBothThemes(page: Page) {
  expect(await seriousViolations(page)).toEqual([]);
  await page.getByRole('button', { name: /Switch to (light|dark) theme/ }).click();
  expect(await seriousViolations(page)).toEqual([]);
  await page.getByRole('button', { name: /Switch to (light|dark) theme/ }).click();
}

/** At 800 px the page must not scroll sideways (wide tables scroll inside their own region). */
async function fitsAt800(page: Page) {
  await page.setViewportSize({ width: 800, height: 800 });
  const overflow = () =>
    page.evaluate(() => {
      const wide = [...document.querySelectorAll('main *')].filter((e) => e.getBoundingClientRect().right > 800 && !e.closest('.table-wrap'));
      return wide.map((e) => `${e.tagName.toLowerCase()}.${e.className}`).slice(0, 5);
    });
  await expect.poll(overflow).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(800);
  expect(await seriousViolations(page)).toEqual([]);
  await page.setViewportSize({ width: 1280, height: 800 });
}

interface Data {
  before: Scan;
  after: Scan;
  sbom: Scan;
}

let data: Data | undefined;

test.beforeAll(async ({ server }) => {
  test.setTimeout(240_000);
  const tag = randomBytes(4).toString('hex');
  const tree = writeVulnerableTree(server.root, `reports-${tag}`);
  const deps = join(server.root, `reports-sbom-${tag}`);
  mkdirSync(deps);
  writeFileSync(join(deps, 'requirements.txt'), 'flask==3.0.0\nrequests==2.31.0\n');
  writeFileSync(
    join(deps, 'package-lock.json'),
    JSON.stringify({
      name: 'web',
      lockfileVersion: 3,
      packages: {
        '': { name: 'web', version: '1.0.0', dependencies: { lodash: '4.17.21' } },
        'node_modules/lodash': { version: '4.17.21', license: 'MIT' },
      },
    }),
  );
  const [firstStarted, sbomStarted] = await Promise.all([startScan(server, tree), startScan(server, deps, ['dependency'])]);
  const before = await finished(server, firstStarted.id);
  // Fix the eval() finding and add a pickle one: the next scan has both new and resolved findings.
  writeFileSync(
    join(tree, 'app.py'),
    [
      'import hashlib',
      'import pickle',
      'import subprocess',
      '',
      '',
      'def run(command):',
      '    return subprocess.call(command, shell=True)',
      '',
      '',
      'def digest(data):',
      '    return hashlib.md5(data).hexdigest()',
      '',
      '',
      'def load(blob):',
      '    return pickle.loads(blob)',
      '',
    ].join('\n'),
  );
  const after = await finished(server, (await startScan(server, tree)).id);
  const sbom = await finished(server, sbomStarted.id);
  data = { before, after, sbom };
});

test('Overview shows the totals, the latest scan, recent scans, the trend and coverage', async ({ page, server, consoleErrors }) => {
  void consoleErrors;
  await signIn(page, server);
  const latest = (await server.api('GET', '/api/v1/scans?limit=1')).body[0] as Scan;
  await expect(page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible();
  const section = page.locator('section.overview-latest');
  await expect(section.getByRole('link', { name: latest.target_path })).toBeVisible();
  await expect(section.getByText(latest.id.slice(0, 8))).toBeVisible();
  const stats = (await server.api('GET', '/api/v1/dashboard/stats')).body;
  await expect(page.getByRole('list', { name: 'Totals' }).getByText(String(stats.total_scans), { exact: true }).first()).toBeVisible();
  const recent = page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'When' }) });
  await expect(recent.getByRole('link', { name: data!.after.target_path }).first()).toBeVisible();
  await expect(recent.getByRole('row')).toHaveCount(Math.min(10, stats.total_scans) + 1);
  const trend = page.getByRole('img', { name: /Findings per day over the last 30 days: [1-9]\d* days? with scans/ });
  await expect(trend).toBeVisible();
  await page.getByText('Trend data as a table').click();
  const today = new Date().toISOString().slice(0, 10);
  await expect(page.getByRole('cell', { name: today })).toBeVisible();
  await expect(page.locator('.overview-coverage').first()).toBeVisible();
  await expect(page.getByRole('main').getByRole('link', { name: 'New scan', exact: true })).toBeVisible();
  await accessibleInBothThemes(page);
  await fitsAt800(page);
});

test('History sorts the page by findings, keeps sort and page size in the URL, and pages', async ({ page, server, consoleErrors }) => {
  void consoleErrors;
  test.setTimeout(120_000);
  await signIn(page, server);
  await page.goto(`${server.url}/history`);
  const counts = () => page.locator('tbody td[data-findings]').evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-findings'))));
  await expect(page.locator('tbody tr[data-scan-id]').first()).toBeVisible();
  const header = page.getByRole('columnheader', { name: /Findings/ });
  await header.getByRole('button').click();
  await expect(header).toHaveAttribute('aria-sort', 'descending');
  await expect(page).toHaveURL(/sort=findings/);
  let shown = await counts();
  expect(shown).toEqual([...shown].sort((a, b) => b - a));
  expect(new Set(shown).size).toBeGreaterThan(1);
  await header.getByRole('button').click();
  await expect(header).toHaveAttribute('aria-sort', 'ascending');
  await expect.poll(counts).toEqual([...shown].sort((a, b) => a - b));
  await page.reload();
  await expect(page.getByRole('columnheader', { name: /Findings/ })).toHaveAttribute('aria-sort', 'ascending');
  shown = await counts();
  expect(shown).toEqual([...shown].sort((a, b) => a - b));

  // More than one page of 10: top the store up with quick dependency scans of an empty tree.
  let total = Number((await server.api('GET', '/api/v1/scans?limit=1')).headers.get('x-total-count'));
  if (total <= 10) {
    const empty = join(server.root, `reports-empty-${randomBytes(4).toString('hex')}`);
    mkdirSync(empty);
    const extra = await Promise.all(Array.from({ length: 11 - total }, () => startScan(server, empty, ['dependency'])));
    for (const scan of extra) await finished(server, scan.id);
    total = 11;
    await page.reload();
  }
  await page.getByLabel('Rows per page').selectOption('10');
  await expect(page).toHaveURL(/size=10/);
  await expect(page.locator('tbody tr[data-scan-id]')).toHaveCount(Math.min(10, total));
  const pages = Math.ceil(total / 10);
  await expect(page.getByText(`Page 1 of ${pages}`, { exact: true })).toBeVisible();
  if (pages > 1) {
    await page.getByRole('button', { name: 'Next' }).click();
    await expect(page).toHaveURL(/page=2/);
    await expect(page.locator('tbody tr[data-scan-id]')).toHaveCount(Math.min(10, total - 10));
  }
  await accessibleInBothThemes(page);
  await fitsAt800(page);
});

test('History row menu: Escape closes it, Re-run creates a scan, Delete removes one', async ({ page, server, consoleErrors }) => {
  void consoleErrors;
  test.setTimeout(120_000);
  await signIn(page, server);
  const source = data!.sbom;
  await page.goto(`${server.url}/history?size=100`);
  const menuButton = page.getByRole('button', { name: `Actions for scan ${source.id.slice(0, 8)} of ${source.target_path}` });
  await menuButton.click();
  await expect(page.getByRole('menu')).toBeVisible();
  await expect(page.getByRole('menuitem', { name: 'Re-run' })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('menuitem', { name: 'Copy link' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('menu')).toHaveCount(0);
  await expect(menuButton).toBeFocused();

  await menuButton.click();
  await page.getByRole('menuitem', { name: 'Re-run' }).click();
  await expect(page).toHaveURL(/\/scan\/[0-9a-f-]+$/);
  const rerunId = new URL(page.url()).pathname.split('/').pop()!;
  expect(rerunId).not.toBe(source.id);
  const rerun = await finished(server, rerunId);
  expect(rerun.target_path).toBe(source.target_path);

  await page.goto(`${server.url}/history?size=100`);
  await page.getByRole('button', { name: `Actions for scan ${rerunId.slice(0, 8)} of ${source.target_path}` }).click();
  await page.getByRole('menuitem', { name: 'Delete…' }).click();
  const dialog = page.getByRole('dialog', { name: `Delete scan ${rerunId.slice(0, 8)}?` });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Delete scan' }).click();
  await expect(page.getByText(`Scan ${rerunId.slice(0, 8)} deleted.`)).toBeVisible();
  await expect(page.locator(`tr[data-scan-id="${rerunId}"]`)).toHaveCount(0);
  expect((await server.api('GET', `/api/v1/scans/${rerunId}`)).status).toBe(404);
});

test('Diff shows the same new, resolved and unchanged counts as the API', async ({ page, server, consoleErrors }) => {
  void consoleErrors;
  const { before, after } = data!;
  const compared = (await server.api('GET', `/api/v1/scans/compare?scan_a=${before.id}&scan_b=${after.id}`)).body;
  expect(compared.summary.new_count).toBeGreaterThan(0);
  expect(compared.summary.fixed_count).toBeGreaterThan(0);
  await signIn(page, server);
  await page.goto(`${server.url}/diff?base=${before.id}&head=${after.id}`);
  await expect(page.getByLabel('Base')).toHaveValue(before.id);
  await expect(page.getByLabel('Head')).toHaveValue(after.id);
  await expect(page.locator('[data-count="new"]')).toHaveText(String(compared.summary.new_count));
  await expect(page.locator('[data-count="resolved"]')).toHaveText(String(compared.summary.fixed_count));
  await expect(page.locator('[data-count="unchanged"]')).toHaveText(String(compared.summary.unchanged_count));
  const panel = page.getByRole('tabpanel');
  await expect(panel.locator('tbody tr')).toHaveCount(compared.new_findings.length);
  await expect(panel.getByText(compared.new_findings[0].title).first()).toBeVisible();
  const newTab = page.getByRole('tab', { name: /^New/ });
  await newTab.focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: /^Resolved/ })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('tab', { name: /^Resolved/ })).toBeFocused();
  await expect(page).toHaveURL(/tab=resolved/);
  await expect(page.getByRole('tabpanel').locator('tbody tr')).toHaveCount(compared.fixed_findings.length);
  await expect(page.getByRole('tabpanel').getByText(compared.fixed_findings[0].title).first()).toBeVisible();
  await page.reload();
  await expect(page.getByRole('tab', { name: /^Resolved/ })).toHaveAttribute('aria-selected', 'true');
  await accessibleInBothThemes(page);
  await fitsAt800(page);
});

test('Compare takes the newest scan of a target and the previous one as its baseline', async ({ page, server, consoleErrors }) => {
  void consoleErrors;
  const { before, after } = data!;
  const compared = (await server.api('GET', `/api/v1/scans/compare?scan_a=${before.id}&scan_b=${after.id}`)).body;
  await signIn(page, server);
  await page.goto(`${server.url}/compare`);
  await page.getByLabel('Target').selectOption(after.target_path);
  await expect(page.getByLabel('Baseline')).toHaveValue(before.id);
  await expect(page.getByText('Current scan:').getByRole('link')).toContainText(after.id.slice(0, 8));
  await expect(page.locator('[data-count="new"]')).toHaveText(String(compared.summary.new_count));
  await expect(page.locator('[data-count="resolved"]')).toHaveText(String(compared.summary.fixed_count));
  await expect(page.getByRole('tabpanel').locator('tbody tr')).toHaveCount(compared.new_findings.length);
  await accessibleInBothThemes(page);
  await fitsAt800(page);
});

test('SBOM lists the components in CycloneDX and SPDX, filters them and links the document', async ({ page, server, consoleErrors }) => {
  void consoleErrors;
  const { sbom } = data!;
  await signIn(page, server);
  await page.goto(`${server.url}/sbom?scan=${sbom.id}`);
  const rows = page.locator('tbody tr');
  await expect(page.getByRole('button', { name: 'CycloneDX' })).toHaveAttribute('aria-pressed', 'true');
  await expect(rows).toHaveCount(3);
  for (const name of ['flask', 'requests', 'lodash']) await expect(page.getByRole('cell', { name, exact: true })).toBeVisible();
  const ecosystems = page.getByRole('list', { name: 'Components per ecosystem' });
  await expect(ecosystems.getByRole('listitem').filter({ hasText: 'pypi' })).toContainText('2');
  await expect(ecosystems.getByRole('listitem').filter({ hasText: 'npm' })).toContainText('1');
  await expect(page.getByRole('row').filter({ hasText: 'lodash' })).toContainText('MIT');
  await expect(page.getByRole('link', { name: 'Download CycloneDX JSON' })).toHaveAttribute('href', new RegExp(`/api/v1/scans/${sbom.id}/sbom\\?format=cyclonedx`));
  await accessibleInBothThemes(page);

  await page.getByRole('button', { name: 'SPDX' }).click();
  await expect(page.getByRole('button', { name: 'SPDX' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page).toHaveURL(/format=spdx/);
  await expect(page.getByRole('link', { name: 'Download SPDX JSON' })).toBeVisible();
  await expect(rows).toHaveCount(3);
  for (const name of ['flask', 'requests', 'lodash']) await expect(page.getByRole('cell', { name, exact: true })).toBeVisible();
  await page.getByLabel('Filter components').fill('flask');
  await expect(rows).toHaveCount(1);
  await expect(page.getByText('1 of 3 components')).toBeVisible();
  await accessibleInBothThemes(page);
  await fitsAt800(page);
});

test('A read-only caller sees the reports without any write action', async ({ page, server, consoleErrors }) => {
  void consoleErrors;
  const created = await server.api('POST', '/api/v1/keys', { name: `reports-read-${randomBytes(3).toString('hex')}`, scopes: ['read'] });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  await signIn(page, server, created.body.key);
  await expect(page.locator('section.overview-latest')).toBeVisible();
  await expect(page.getByRole('main').getByRole('link', { name: 'New scan', exact: true })).toHaveCount(0);
  const { before } = data!;
  await page.goto(`${server.url}/history?size=100`);
  await page.getByRole('button', { name: `Actions for scan ${before.id.slice(0, 8)} of ${before.target_path}` }).click();
  await expect(page.getByRole('menuitem')).toHaveText(['Copy link']);
});
