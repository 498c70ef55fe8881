// Every page of the tour, in both themes, at 1280 px and 800 px: loads with zero console errors,
// zero serious or critical axe violations, no horizontal overflow at 800 px, and a screenshot
// per page and theme (test-results/screenshots/, kept as CI artifacts).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, seriousViolations, signIn, test, writeVulnerableTree } from './fixtures';

const SHOTS = join(import.meta.dirname, '..', 'test-results', 'screenshots');

test('every page renders cleanly in both themes and at both widths', async ({ page, server, consoleErrors }) => {
  test.setTimeout(240_000);
  void consoleErrors;
  mkdirSync(SHOTS, { recursive: true });
  // Two completed scans of one tree, so the scan, diff, compare and SBOM pages have content.
  const tree = writeVulnerableTree(server.root, `pages-${Date.now()}`);
  const scans: string[] = [];
  for (let i = 0; i < 2; i++) {
    const created = await server.api('POST', '/api/v1/scans', { target_path: tree, scan_types: ['code'] });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    scans.push(created.body.id);
    await expect
      .poll(async () => (await server.api('GET', `/api/v1/scans/${created.body.id}`)).body.status, { timeout: 120_000 })
      .toBe('completed');
  }
  const [base, head] = scans;
  const pages: [string, string][] = [
    ['overview', '/'],
    ['new-scan', '/scan'],
    ['scan-detail', `/scan/${head}`],
    ['history', '/history'],
    ['diff', `/diff?base=${base}&head=${head}`],
    ['compare', '/compare'],
    ['sbom', `/sbom?scan=${head}`],
    ['scanners', '/scanners'],
    ['notifications', '/notifications'],
    ['api-keys', '/settings/keys'],
    ['webhooks', '/settings/webhooks'],
  ];
  await signIn(page, server);
  for (const theme of ['dark', 'light'] as const) {
    for (const [name, path] of pages) {
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.goto(`${server.url}${path}`);
      await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
      const current = await page.evaluate(() => document.documentElement.dataset.theme);
      if (current !== theme) {
        await page.getByRole('button', { name: new RegExp(`Switch to ${theme} theme`) }).click();
      }
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
      await expect(page.getByRole('status').filter({ hasText: /^Loading/ })).toHaveCount(0);
      expect(await seriousViolations(page), `${name} (${theme})`).toEqual([]);
      await page.screenshot({ path: join(SHOTS, `${name}-${theme}.png`), fullPage: true });
      await page.setViewportSize({ width: 800, height: 800 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${name} (${theme}) overflows horizontally at 800 px`).toBeLessThanOrEqual(1);
      if (theme === 'dark') await page.screenshot({ path: join(SHOTS, `${name}-${theme}-800.png`), fullPage: true });
    }
  }
});

test('deep links reload to the same page, and unknown pages say so', async ({ page, server, consoleErrors }) => {
  void consoleErrors;
  await signIn(page, server);
  await page.goto(`${server.url}/history?size=25`);
  await expect(page.getByRole('heading', { level: 1, name: 'History' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'History' })).toBeVisible();
  expect(new URL(page.url()).search).toContain('size=25');
  await page.goto(`${server.url}/no/such/page`);
  await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
  const api = await page.request.get(`${server.url}/api/v1/no-such-route`, { headers: { Accept: 'text/html' } });
  expect(api.status()).toBe(404);
  expect(await api.json()).toEqual({ detail: 'Not Found' });
});

test('keyboard: skip link, the command palette and the sidebar work without a mouse', async ({ page, server, consoleErrors }) => {
  void consoleErrors;
  await signIn(page, server);
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Control+k');
  const palette = page.getByRole('dialog', { name: 'Command palette' });
  await expect(palette).toBeVisible();
  await page.keyboard.type('histo');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/history$/);
  await expect(palette).toHaveCount(0);
  const nav = page.getByRole('navigation', { name: 'Pages' });
  await nav.getByRole('link', { name: 'Scanners' }).focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/scanners$/);
  await expect(nav.getByRole('link', { name: 'Scanners' })).toHaveAttribute('aria-current', 'page');
});
