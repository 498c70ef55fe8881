// A real `securescan serve` per worker, on loopback, with a store, an allowed root and a home of
// its own, and the operator's admin key. Pages are signed in through the real sign-in form.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type Page } from '@playwright/test';

export interface Server {
  url: string;
  /** The operator's key (SECURESCAN_API_KEY): every scope. Empty in dev mode. */
  apiKey: string;
  /** The allowed root: scan targets live under it. */
  root: string;
  /** Call the API as the operator (or anonymously in dev mode); JSON in, JSON out. */
  api: (method: string, path: string, body?: unknown, key?: string) => Promise<{ status: number; body: any; headers: Headers }>;
}

export function binary(): string {
  const bin = process.env.SECURESCAN_BIN ?? resolve(process.env.CARGO_TARGET_DIR ?? resolve(import.meta.dirname, '../../target'), 'release/securescan');
  return bin;
}

export async function startServer(options: { dev?: boolean; env?: Record<string, string> } = {}): Promise<Server & { stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'securescan-e2e-'));
  const root = join(dir, 'root');
  mkdirSync(root);
  mkdirSync(join(dir, 'home'));
  const apiKey = options.dev ? '' : `e2e-admin-${randomBytes(12).toString('hex')}`;
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    HOME: join(dir, 'home'),
    // Reuse the compiled-adapter cache: a fresh one costs seconds per server.
    XDG_CACHE_HOME: process.env.XDG_CACHE_HOME ?? join(process.env.HOME ?? dir, '.cache'),
    SECURESCAN_DB_PATH: join(dir, 'scans.db'),
    SECURESCAN_ALLOWED_ROOTS: root,
    SECURESCAN_EVENT_TOKEN_SECRET: randomBytes(32).toString('hex'),
    SECURESCAN_WEBHOOK_ALLOW_PRIVATE: '1',
    SECURESCAN_RATE_LIMIT_ENABLED: 'false',
    SECURESCAN_LOG_LEVEL: 'warn',
    ...options.env,
  };
  delete env.SECURESCAN_API_KEY;
  if (apiKey) env.SECURESCAN_API_KEY = apiKey;
  const child: ChildProcess = spawn(binary(), ['serve', '--port', '0'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`securescan serve did not start in 30 s:\n${log}`)), 30_000);
    const read = (chunk: Buffer) => {
      log += chunk.toString();
      const found = /serving (http:\/\/[^\s]+)/.exec(log);
      if (found) {
        clearTimeout(timer);
        ok(found[1].replace(/\/$/, ''));
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.on('exit', (code) => fail(new Error(`securescan serve exited with ${code}:\n${log}`)));
  });
  const api: Server['api'] = async (method, path, body, key = apiKey) => {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (key) headers['X-API-Key'] = key;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON (a report, an SSE stream): the text.
    }
    return { status: response.status, body: parsed, headers: response.headers };
  };
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((ok) => child.once('exit', ok));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return { url, apiKey, root, api, stop };
}

/** A small tree with real problems for semgrep (local rules, so no registry is needed) and bandit. */
export function writeVulnerableTree(root: string, name = 'app'): string {
  const tree = join(root, name);
  mkdirSync(tree, { recursive: true });
  writeFileSync(
    join(tree, 'app.py'),
    [
      'import hashlib',
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
      'def calculate(expression):',
      '    return eval(expression)',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(tree, 'rules.yml'),
    [
      'rules:',
      '  - id: python-eval',
      '    languages: [python]',
      '    severity: ERROR',
      '    message: eval() runs arbitrary code',
      '    pattern: eval(...)',
      '    metadata: {cwe: ["CWE-95"]}',
      '  - id: subprocess-shell-true',
      '    languages: [python]',
      '    severity: ERROR',
      '    message: subprocess with shell=True runs a shell command built from input',
      '    pattern: subprocess.call(..., shell=True)',
      '    metadata: {cwe: ["CWE-78"]}',
      '',
    ].join('\n'),
  );
  writeFileSync(join(tree, '.securescan.yml'), 'semgrep_rules: [rules.yml]\n');
  return tree;
}

/** Sign in through the sign-in form with `key` (the operator's by default). */
export async function signIn(page: Page, server: Server, key = server.apiKey) {
  await page.goto(`${server.url}/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('navigation', { name: 'Pages' })).toBeVisible();
}

/** Fail on any console error or uncaught page error, reported once the test ends. */
export function watchConsole(page: Page): () => string[] {
  const errors: string[] = [];
  page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
  page.on('pageerror', (err) => errors.push(String(err)));
  return () => errors;
}

/** Serious and critical axe violations on the page as it is now. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

export const test = base.extend<{ consoleErrors: () => string[] }, { server: Server }>({
  server: [
    async ({}, use) => {
      const server = await startServer();
      await use(server);
      await server.stop();
    },
    { scope: 'worker' },
  ],
  consoleErrors: async ({ page }, use) => {
    const errors = watchConsole(page);
    await use(errors);
    expect(errors(), 'console errors').toEqual([]);
  },
});

export { expect };
