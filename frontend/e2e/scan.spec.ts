// New scan and Scan detail against a real `securescan serve` with real semgrep and bandit on PATH:
// a scan started from the form (target chosen with the directory picker), its live progress over
// SSE, triage and comments that survive a reload and a re-run, cancel, delete, and server-side
// paging whose filters live in the URL.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, type Server, seriousViolations, signIn, test, writeVulnerableTree } from './fixtures';

const suffix = () => randomBytes(4).toString('hex');
const ENDED = /^(completed|failed|cancelled)$/;

/**
 * The fixture's tree with an eval() line of its own: verdicts key on the fingerprint (which hashes the flagged code, not the
 * scan's path), so each test's python-eval finding starts without anyone's verdict.
 */
function tree(server: Server, name: string): string {
  const dir = writeVulnerableTree(server.root, name);
  const app = join(dir, 'app.py');
  writeFileSync(app, readFileSync(app, 'utf8').replace('eval(expression)', `eval(expression_${suffix()})`));
  return dir;
}

async function startScan(server: Server, target: string): Promise<string> {
  const created = await server.api('POST', '/api/v1/scans', { target_path: target, scan_types: ['code'] });
  expect(created.status, JSON.stringify(created.body)).toBeLessThan(300);
  return created.body.id;
}

async function waitForEnd(server: Server, id: string): Promise<string> {
  await expect
    .poll(async () => (await server.api('GET', `/api/v1/scans/${id}`)).body.status, { timeout: 90_000, intervals: [500] })
    .toMatch(ENDED);
  return (await server.api('GET', `/api/v1/scans/${id}`)).body.status;
}

async function completedScan(server: Server, target: string): Promise<string> {
  const id = await startScan(server, target);
  expect(await waitForEnd(server, id)).toBe('completed');
  return id;
}

/**
 * Zero serious/critical axe violations in this theme and in the other one. The toggle is clicked
 * by event: with a dialog open its overlay covers the topbar, and the dialog is what is checked.
 */
async function accessibleInBothThemes(page: Page, what: string) {
  const toggle = page.getByRole('button', { name: /Switch to (light|dark) theme/, includeHidden: true });
  const before = await page.evaluate(() => document.documentElement.dataset.theme);
  expect(await seriousViolations(page), `${what} (${before})`).toEqual([]);
  await toggle.dispatchEvent('click');
  await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).not.toBe(before);
  expect(await seriousViolations(page), `${what} (other theme)`).toEqual([]);
  await toggle.dispatchEvent('click');
  await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe(before);
}

/** A finding's expander: its headline (the scanner's message), then its rule id. */
function findingButton(page: Page, rule: string) {
  return page.getByRole('button', { name: new RegExp(` ${rule.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) });
}

function findingRow(page: Page, rule: string) {
  return page.locator('tr.finding').filter({ has: findingButton(page, rule) });
}

test('new scan: pick the tree with the directory picker, tick Code, start, watch it live, see the findings', async ({
  page,
  server,
  consoleErrors,
}) => {
  // The first scan of a fresh server also compiles its adapters: allow for it on a busy machine.
  test.setTimeout(180_000);
  void consoleErrors;
  const name = `scan-e2e-${suffix()}`;
  const target = tree(server, name);
  await signIn(page, server);
  await page.goto(`${server.url}/scan`);
  await expect(page.getByRole('heading', { level: 1, name: 'New scan' })).toBeVisible();

  // Availability from the server: Code is usable (semgrep and bandit are installed).
  const code = page.getByRole('checkbox', { name: /^Code/ });
  await expect(code).toBeEnabled();
  await code.check();
  const dependency = page.getByRole('checkbox', { name: /^Dependency/ });
  if (await dependency.isEnabled()) await dependency.uncheck();
  await expect(page.getByRole('button', { name: 'Code only' })).toHaveAttribute('aria-pressed', 'true');
  const preview = page.getByRole('complementary', { name: 'Preview' });
  await expect(preview).toContainText('semgrep');
  await expect(preview).toContainText('bandit');
  // A category whose scanners are all missing is disabled, with its install hints beside it.
  const status = await server.api('GET', '/api/v1/dashboard/status');
  const byType = new Map<string, { available: boolean; name: string; install_hint: string | null }[]>();
  for (const s of status.body.scanners) byType.set(s.scan_type, [...(byType.get(s.scan_type) ?? []), s]);
  for (const [type, list] of byType) {
    if (type === 'code' || list.some((s) => s.available)) continue;
    const label = { dependency: 'Dependency', iac: 'IaC', baseline: 'Baseline', dast: 'DAST', network: 'Network' }[type];
    if (!label) continue;
    await expect(page.getByRole('checkbox', { name: new RegExp(`^${label}`) })).toBeDisabled();
    const hinted = list.find((s) => s.install_hint);
    if (hinted) await expect(page.locator('.type-list')).toContainText(hinted.install_hint!);
  }

  // The directory picker: it opens at the allowed root, walks into the tree and chooses it.
  await page.getByRole('button', { name: 'Browse…' }).click();
  const picker = page.getByRole('dialog', { name: 'Choose a directory' });
  await expect(picker).toContainText(server.root);
  await expect(picker.getByRole('button', { name: 'Up', exact: true })).toBeDisabled();
  await picker.getByRole('button', { name: `${name} (open)` }).click();
  await expect(picker.locator('.picker-current')).toContainText(target);
  await expect(picker.getByRole('button', { name: 'Up', exact: true })).toBeEnabled();
  await accessibleInBothThemes(page, 'directory picker');
  await picker.getByRole('button', { name: 'Choose this directory' }).click();
  await expect(picker).toHaveCount(0);
  await expect(page.getByLabel('Target path')).toHaveValue(target);
  await expect(preview).toContainText(target);
  await accessibleInBothThemes(page, 'new scan');

  await page.getByRole('button', { name: 'Start scan' }).click();
  await expect(page).toHaveURL(/\/scan\/[0-9a-f-]{36}$/);
  const id = page.url().split('/').pop()!;
  const stored = await server.api('GET', `/api/v1/scans/${id}`);
  expect(stored.body.target_path).toBe(target);
  expect(stored.body.scan_types).toEqual(['code']);

  // Live progress: the rows move while the scan runs, and both tools complete.
  const progress = page.getByRole('region', { name: 'Progress' });
  const semgrep = progress.locator('[data-scanner="semgrep"]');
  const bandit = progress.locator('[data-scanner="bandit"]');
  await expect(semgrep).toContainText(/running|complete/);
  await expect(bandit).toContainText(/running|complete/);
  // That was seen while the scan was still going: the panel showed progress, not an epilogue.
  expect((await server.api('GET', `/api/v1/scans/${id}`)).body.status).toMatch(/^(pending|running)$/);
  await expect(semgrep).toContainText('complete', { timeout: 60_000 });
  await expect(bandit).toContainText('complete', { timeout: 60_000 });
  await expect(semgrep).toContainText(/\d+ findings?/);
  await expect(progress.getByRole('status')).toHaveText('Finished: completed', { timeout: 30_000 });
  expect((await server.api('GET', `/api/v1/scans/${id}`)).body.status).toBe('completed');

  // The findings, as the API has them.
  const findings = await server.api('GET', `/api/v1/scans/${id}/findings?suppressed=false`);
  const titles: string[] = findings.body.map((f: { title: string }) => f.title);
  expect(titles).toContain('python-eval');
  await expect(findingButton(page, 'python-eval')).toBeVisible();
  await expect(findingRow(page, 'python-eval')).toContainText('app.py:14');
  // The headline is the scanner's message, not the bare rule id.
  await expect(findingButton(page, 'python-eval')).toContainText('eval() runs arbitrary code');
  await expect(findingRow(page, 'python-eval')).toContainText('semgrep');
  await expect(findingButton(page, 'subprocess-shell-true')).toBeVisible();
  const summary = (await server.api('GET', `/api/v1/scans/${id}/summary`)).body;
  const stats = page.getByRole('list', { name: 'Scan summary' });
  await expect(stats).toContainText(`${summary.total_findings}findings`);
  await expect(stats).toContainText(`${summary.high}high`);
  await expect(page.getByRole('navigation', { name: 'Findings pages' }).getByRole('status')).toHaveText(
    `1–${findings.body.length} of ${findings.body.length}`,
  );
  // The report links are plain downloads of the server's renderers.
  const sarif = page.getByRole('link', { name: 'SARIF' });
  await expect(sarif).toHaveAttribute('href', `/api/v1/scans/${id}/report?format=sarif`);

  // Expanding a row shows the rule, CWE and compliance tags.
  const eval_ = findingButton(page, 'python-eval');
  await eval_.click();
  await expect(eval_).toHaveAttribute('aria-expanded', 'true');
  const details = page.locator(`#${await eval_.getAttribute('aria-controls')}`);
  await expect(details).toContainText('eval() runs arbitrary code');
  await expect(details).toContainText('CWE-95');
  await expect(details).toContainText('OWASP-A03');
  // The matched line with its context, read from the file by the server.
  const source = details.getByLabel(/^Lines of /);
  await expect(source.locator('.line.flagged')).toContainText('return eval(expression');
  await expect(source).toContainText('def calculate(expression):');
  await expect(details.getByLabel('Verdict')).toHaveValue('new');
  await expect(details.getByText('No comments yet.')).toBeVisible();
  await accessibleInBothThemes(page, 'scan detail');
  await eval_.click();
  await expect(eval_).toHaveAttribute('aria-expanded', 'false');
  await expect(details).toHaveCount(0);
});

test('live progress resumes after its stream closes: a fresh event token and last_event_id', async ({
  page,
  server,
  consoleErrors,
}) => {
  test.setTimeout(90_000);
  void consoleErrors;
  const target = tree(server, `scan-e2e-${suffix()}`);
  await signIn(page, server);
  // The first stream delivers event 1 and ends; the browser's own retry gets a 204, which makes an
  // EventSource give up for good (as an expired token's 401 does, without a console error). The
  // page must then mint a new token and resume after event 1.
  const streams: URL[] = [];
  let mints = 0;
  page.on('request', (request) => {
    if (request.method() === 'POST' && /\/event-token$/.test(request.url())) mints += 1;
  });
  await page.route(/\/api\/v1\/scans\/[^/]+\/events\?/, async (route) => {
    streams.push(new URL(route.request().url()));
    if (streams.length === 1) {
      const start = { scan_types: ['code'], scanners: ['semgrep', 'bandit'] };
      const body = `id: 1\nevent: scan.start\ndata: ${JSON.stringify(start)}\n\n`;
      await route.fulfill({ status: 200, contentType: 'text/event-stream', body });
    } else if (streams.length === 2) {
      await route.fulfill({ status: 204, body: '' });
    } else {
      await route.continue();
    }
  });
  const id = await startScan(server, target);
  await page.goto(`${server.url}/scan/${id}`);
  const progress = page.getByRole('region', { name: 'Progress' });
  await expect(progress.getByRole('status')).toHaveText('Finished: completed', { timeout: 60_000 });
  await expect(progress.locator('[data-scanner="semgrep"]')).toContainText('complete');
  await expect(progress.locator('[data-scanner="bandit"]')).toContainText('complete');
  // Each scanner once: the replay after event 1 did not add a second row.
  await expect(progress.locator('[data-scanner="semgrep"]')).toHaveCount(1);
  expect(streams.length).toBeGreaterThanOrEqual(3);
  expect(streams[0].searchParams.get('last_event_id')).toBeNull();
  expect(streams[2].searchParams.get('last_event_id')).toBe('1');
  expect(streams[2].searchParams.get('event_token')).toBeTruthy();
  expect(mints).toBe(2);
  await expect(findingButton(page, 'python-eval')).toBeVisible();
});

test('triage: a verdict and a comment survive a reload, and the verdict follows the finding into a re-run', async ({
  page,
  server,
  consoleErrors,
}) => {
  test.setTimeout(150_000);
  void consoleErrors;
  const target = tree(server, `scan-e2e-${suffix()}`);
  const id = await completedScan(server, target);
  const note = `intentional in a fixture ${suffix()}`;
  await signIn(page, server);
  await page.goto(`${server.url}/scan/${id}`);

  const eval_ = findingButton(page, 'python-eval');
  await eval_.click();
  const details = page.locator(`#${await eval_.getAttribute('aria-controls')}`);
  await details.getByLabel('Verdict').selectOption('false_positive');
  await details.getByLabel('Note').fill(note);
  await details.getByRole('button', { name: 'Save verdict' }).click();
  await expect(details.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  await expect(findingRow(page, 'python-eval').locator('.triage')).toHaveText('false_positive');

  // Stored under the fingerprint, with who set it.
  const fingerprint = (await server.api('GET', `/api/v1/scans/${id}/findings`)).body.find(
    (f: { title: string }) => f.title === 'python-eval',
  ).fingerprint;
  const stored = (await server.api('GET', `/api/v1/scans/${id}/findings?status=false_positive`)).body;
  expect(stored.map((f: { fingerprint: string }) => f.fingerprint)).toContain(fingerprint);
  expect(stored.find((f: { fingerprint: string }) => f.fingerprint === fingerprint).state.note).toBe(note);

  // After a reload the default filter hides decided findings, and says how many it hides.
  await page.reload();
  await expect(findingButton(page, 'subprocess-shell-true')).toBeVisible();
  await expect(eval_).toHaveCount(0);
  await expect(page.locator('.hidden-note')).toContainText(
    '1 finding is hidden by the status filter (false_positive, accepted_risk, wont_fix)',
  );
  const statusFilter = page.getByRole('group', { name: 'Triage status' });
  await statusFilter.getByRole('button', { name: 'false_positive' }).click();
  await expect(statusFilter.getByRole('button', { name: 'false_positive' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page).toHaveURL(/status=new%2Ctriaged%2Cfalse_positive%2Cfixed|status=new,triaged,false_positive,fixed/);
  await expect(findingRow(page, 'python-eval').locator('.triage')).toHaveText('false_positive');
  await eval_.click();
  await expect(details.getByLabel('Verdict')).toHaveValue('false_positive');
  await expect(details.getByLabel('Note')).toHaveValue(note);
  await expect(details.locator('.who')).toContainText('set by SECURESCAN_API_KEY');

  // A comment: posted, shown after a reload (the filter is in the URL, so the row is still there),
  // then deleted by its author.
  const comment = `Reviewed with the team ${suffix()}`;
  await details.getByLabel('Add a comment').fill(comment);
  await details.getByRole('button', { name: 'Comment', exact: true }).click();
  await expect(details.locator('.comment-list')).toContainText(comment);
  await page.reload();
  await eval_.click();
  await expect(details.locator('.comment-list')).toContainText(comment);
  await expect(details.getByRole('heading', { name: 'Comments (1)' })).toBeVisible();
  const comments = await server.api('GET', `/api/v1/findings/${fingerprint}/comments`);
  expect(comments.body.map((c: { text: string }) => c.text)).toContain(comment);

  // Re-run: a new scan of the same target and types; the same finding comes back with the verdict.
  await page.getByRole('button', { name: 'Re-run' }).click();
  await expect(page).not.toHaveURL(new RegExp(id));
  await expect(page).toHaveURL(/\/scan\/[0-9a-f-]{36}$/);
  const rerun = page.url().split('/').pop()!;
  const record = (await server.api('GET', `/api/v1/scans/${rerun}`)).body;
  expect(record.target_path).toBe(target);
  expect(record.scan_types).toEqual(['code']);
  await expect(page.getByRole('region', { name: 'Progress' }).getByRole('status')).toHaveText('Finished: completed', { timeout: 90_000 });
  await page.getByRole('group', { name: 'Triage status' }).getByRole('button', { name: 'false_positive' }).click();
  await expect(findingRow(page, 'python-eval').locator('.triage')).toHaveText('false_positive');
  await eval_.click();
  const rerunDetails = page.locator(`#${await eval_.getAttribute('aria-controls')}`);
  await expect(rerunDetails.getByLabel('Note')).toHaveValue(note);
  await expect(rerunDetails.locator('.comment-list')).toContainText(comment);
  const again = (await server.api('GET', `/api/v1/scans/${rerun}/findings?status=false_positive`)).body;
  expect(again.map((f: { fingerprint: string }) => f.fingerprint)).toContain(fingerprint);

  await rerunDetails.getByRole('button', { name: /^Delete comment/ }).click();
  await expect(rerunDetails.getByText('No comments yet.')).toBeVisible();
  expect((await server.api('GET', `/api/v1/findings/${fingerprint}/comments`)).body).toEqual([]);
});

test('cancel a running scan, then delete it', async ({ page, server, consoleErrors }) => {
  test.setTimeout(120_000);
  void consoleErrors;
  const target = tree(server, `scan-e2e-${suffix()}`);
  // Two scans fill the server's two slots, so the third waits in the queue long enough to cancel.
  const busy = [await startScan(server, target), await startScan(server, target)];
  const id = await startScan(server, target);
  await signIn(page, server);
  await page.goto(`${server.url}/scan/${id}`);
  const header = page.locator('.page-header');
  await expect(header).toContainText(/pending|running|completed|failed|cancelled/);
  const cancel = page.getByRole('button', { name: 'Cancel scan' });
  // The scan may end before the click lands: then there is no button, and the page must simply
  // show the status the API has.
  if (await cancel.isVisible()) await cancel.click();
  const status = await waitForEnd(server, id);
  await expect(header.locator('.status')).toHaveText(new RegExp(status));
  await expect(cancel).toHaveCount(0);
  if (status === 'cancelled') {
    await expect(page.getByRole('region', { name: 'Progress' }).getByRole('status')).toHaveText('Finished: cancelled');
    expect((await server.api('GET', `/api/v1/scans/${id}/findings`)).body).toEqual([]);
  }
  for (const other of busy) await waitForEnd(server, other);

  // Delete: a confirmation first; keeping it changes nothing.
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  const dialog = page.getByRole('alertdialog', { name: 'Delete this scan?' });
  await expect(dialog).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await dialog.getByRole('button', { name: 'Keep it' }).click();
  await expect(dialog).toHaveCount(0);
  expect((await server.api('GET', `/api/v1/scans/${id}`)).status).toBe(200);
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await dialog.getByRole('button', { name: 'Delete scan' }).click();
  await expect(page).toHaveURL(/\/history$/);
  expect((await server.api('GET', `/api/v1/scans/${id}`)).status).toBe(404);
});

test('findings page on the server and keep their filters in the URL across reloads', async ({ page, server, consoleErrors }) => {
  test.setTimeout(120_000);
  void consoleErrors;
  // 70 eval() calls: semgrep's rule and bandit's B307 each report every one.
  const target = tree(server, `scan-e2e-${suffix()}`);
  writeFileSync(join(target, 'many.py'), Array.from({ length: 70 }, (_, i) => `value_${i} = eval(input())\n`).join(''));
  const id = await completedScan(server, target);
  const count = async (query: string) =>
    Number((await server.api('GET', `/api/v1/scans/${id}/findings?limit=1&${query}`)).headers.get('x-total-count'));
  const total = await count('suppressed=false&status=new,triaged,fixed');
  expect(total).toBeGreaterThan(100);
  const range = page.getByRole('navigation', { name: 'Findings pages' }).getByRole('status');

  await signIn(page, server);
  await page.goto(`${server.url}/scan/${id}`);
  await expect(range).toHaveText(`1–50 of ${total}`);
  await expect(page.locator('tr.finding')).toHaveCount(50);
  const firstOnPage1 = await page.locator('tr.finding').first().textContent();
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page).toHaveURL(/[?&]page=2(&|$)/);
  await expect(range).toHaveText(`51–100 of ${total}`);
  await expect(page.getByText(`Page 2 of ${Math.ceil(total / 50)}`)).toBeVisible();
  expect(await page.locator('tr.finding').first().textContent()).not.toBe(firstOnPage1);
  await page.getByRole('button', { name: 'Last page' }).click();
  await expect(range).toHaveText(`${Math.floor((total - 1) / 50) * 50 + 1}–${total} of ${total}`);
  await page.reload();
  await expect(range).toHaveText(`${Math.floor((total - 1) / 50) * 50 + 1}–${total} of ${total}`);

  // Filters: the severity toggle and the scanner select go to the URL and back to page 1.
  const severity = page.getByRole('group', { name: 'Severity' });
  await severity.getByRole('button', { name: /^low/ }).click();
  await expect(page).toHaveURL(/severity=critical%2Chigh%2Cmedium%2Cinfo|severity=critical,high,medium,info/);
  await expect(page).not.toHaveURL(/page=/);
  await page.getByLabel('Scanner', { exact: true }).selectOption('semgrep');
  await expect(page).toHaveURL(/scanner=semgrep/);
  const filtered = await count('suppressed=false&status=new,triaged,fixed&severity=critical,high,medium,info&scanner=semgrep');
  expect(filtered).toBeGreaterThan(50);
  expect(filtered).toBeLessThan(total);
  expect(filtered).toBeLessThanOrEqual(100);
  await expect(range).toHaveText(`1–50 of ${filtered}`);
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(range).toHaveText(`51–${filtered} of ${filtered}`);

  await page.reload();
  await expect(severity.getByRole('button', { name: /^low/ })).toHaveAttribute('aria-pressed', 'false');
  await expect(severity.getByRole('button', { name: /^high/ })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByLabel('Scanner', { exact: true })).toHaveValue('semgrep');
  await expect(range).toHaveText(`51–${filtered} of ${filtered}`);
  for (const cell of await page.locator('tr.finding td:nth-child(4)').allTextContents()) expect(cell).toBe('semgrep');

  // The page size: back to page 1, and kept in the URL too.
  await page.getByLabel('Per page').selectOption('25');
  await expect(page).toHaveURL(/size=25/);
  await expect(range).toHaveText(`1–25 of ${filtered}`);
  await page.reload();
  await expect(page.getByLabel('Per page')).toHaveValue('25');
  await expect(page.locator('tr.finding')).toHaveCount(25);

  await page.getByRole('button', { name: 'Reset filters' }).click();
  await expect(range).toHaveText(`1–25 of ${total}`);

  // The search box asks the server (title, file or rule; any case) and keeps its text in the URL.
  const matching = await count('suppressed=false&status=new,triaged,fixed&q=MANY.PY');
  expect(matching).toBeGreaterThan(0);
  expect(matching).toBeLessThan(total);
  await page.getByLabel('Search findings by title, file or rule').fill('MANY.PY');
  await expect(page).toHaveURL(/q=MANY\.PY/);
  await expect(range).toHaveText(`1–${Math.min(25, matching)} of ${matching}`);
  for (const cell of await page.locator('tr.finding td:nth-child(3)').allTextContents()) expect(cell).toContain('many.py');
  await page.reload();
  await expect(page.getByLabel('Search findings by title, file or rule')).toHaveValue('MANY.PY');
  await expect(range).toHaveText(`1–${Math.min(25, matching)} of ${matching}`);
});

test('a read-only key sees the scan but no write action', async ({ page, server, consoleErrors }) => {
  test.setTimeout(90_000);
  void consoleErrors;
  const target = tree(server, `scan-e2e-${suffix()}`);
  const id = await completedScan(server, target);
  const key = await server.api('POST', '/api/v1/keys', { name: `scan-e2e-reader-${suffix()}`, scopes: ['read'] });
  expect(key.status, JSON.stringify(key.body)).toBe(201);
  await signIn(page, server, key.body.key);

  await page.goto(`${server.url}/scan`);
  await expect(page.getByText('Your key is read-only')).toBeVisible();
  await expect(page.getByRole('checkbox', { name: /^Code/ })).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Start scan' })).toHaveCount(0);

  await page.goto(`${server.url}/scan/${id}`);
  await expect(findingButton(page, 'python-eval')).toBeVisible();
  for (const name of ['Re-run', 'Delete', 'Cancel scan']) await expect(page.getByRole('button', { name, exact: true })).toHaveCount(0);
  await findingButton(page, 'python-eval').click();
  await expect(page.getByRole('heading', { name: 'Triage' })).toBeVisible();
  await expect(page.getByLabel('Verdict')).toHaveCount(0);
  await expect(page.getByLabel('Add a comment')).toHaveCount(0);
  await expect(page.getByRole('heading', { name: /^Comments/ })).toBeVisible();
});
