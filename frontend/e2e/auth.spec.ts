// Sign-in turns an API key into an HttpOnly session: the key is in no JavaScript-readable place,
// sign-out ends the session on the server, and dev mode needs no sign-in.
import { expect, signIn, startServer, test, watchConsole } from './fixtures';

test('sign in with a key, keep it out of scripts, sign out', async ({ page, server }) => {
  const errors = watchConsole(page);
  await page.goto(`${server.url}/`);
  await expect(page.getByRole('heading', { name: 'Sign in to SecureScan' })).toBeVisible();
  await page.getByLabel('API key').fill('ssk_wrongwrong_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('Invalid API key');
  // The refused sign-in is the only failed request the browser reports.
  expect(errors().filter((e) => !e.includes('401'))).toEqual([]);

  await signIn(page, server);
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'securescan_session');
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe('Strict');
  const readable = await page.evaluate(() => ({
    cookie: document.cookie,
    local: JSON.stringify({ ...localStorage }),
    session: JSON.stringify({ ...sessionStorage }),
  }));
  for (const place of Object.values(readable)) {
    expect(place).not.toContain(server.apiKey);
    expect(place).not.toContain('securescan_session');
  }
  const html = await page.content();
  expect(html).not.toContain(server.apiKey);

  await page.reload();
  await expect(page.getByRole('navigation', { name: 'Pages' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to SecureScan' })).toBeVisible();
  // The old cookie, replayed, no longer works: the session ended on the server.
  const replay = await fetch(`${server.url}/api/v1/scans`, { headers: { Cookie: `securescan_session=${session?.value}` } });
  expect(replay.status).toBe(401);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Sign in to SecureScan' })).toBeVisible();
});

test('dev mode needs no sign-in and says it is open', async ({ page }) => {
  const dev = await startServer({ dev: true });
  try {
    const errors = watchConsole(page);
    await page.goto(`${dev.url}/`);
    await expect(page.getByRole('navigation', { name: 'Pages' })).toBeVisible();
    await expect(page.getByText(/Dev mode: no API key is configured/)).toBeVisible();
    await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
    await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
    expect(errors()).toEqual([]);
  } finally {
    await dev.stop();
  }
});
