// Opens Scan detail of the newest stored scan `runs` times in a fresh headless chromium page and
// prints the time from navigation to the first finding row, and from a click on the next page to
// its rows (scripts/bench-dashboard.sh sets up the 20,000-finding scan and the server).
import { chromium } from '@playwright/test';

const [base, runsText = '5'] = process.argv.slice(2);
const runs = Number(runsText);
const scans = await (await fetch(`${base}/api/v1/scans?limit=1`)).json();
const scan = scans[0];
console.log(`scan ${scan.id}: ${scan.findings_count} findings`);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const first = [];
const next = [];
for (let run = 0; run < runs; run++) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${base}/scan/${scan.id}`, { waitUntil: 'commit' });
  const row = page.locator('tbody tr').first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  first.push(await page.evaluate(() => performance.now()));
  const before = await row.textContent();
  const started = await page.evaluate(() => performance.now());
  await page.getByRole('button', { name: /^Next/ }).first().click();
  await page.waitForFunction((text) => document.querySelector('tbody tr')?.textContent !== text, before);
  next.push((await page.evaluate(() => performance.now())) - started);
  console.log(`run ${run + 1}: first finding row ${first.at(-1).toFixed(0)} ms, next page ${next.at(-1).toFixed(0)} ms`);
  await context.close();
}
await browser.close();
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(`median: first finding row ${median(first).toFixed(0)} ms (target 1000 ms: ${median(first) <= 1000 ? 'met' : 'NOT met'}), next page ${median(next).toFixed(0)} ms`);
