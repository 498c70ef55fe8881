import { useEffect, useState } from 'preact/hooks';
import { message, onSignedOut } from './api/client';
import { Bell } from './components/bell';
import { Health } from './components/health';
import { Palette } from './components/palette';
import { ThemeToggle } from './components/theme';
import { ErrorNote, Link, Loading } from './components/ui';
import { PAGES, type Page } from './pages';
import { SignIn } from './pages/signin';
import { match, useLocation } from './router';
import { allows, currentSession, type Session, SessionContext, type SessionInfo, signOut } from './session';

type Boot = { state: 'loading' } | { state: 'error'; error: string } | { state: 'signed-out'; note?: string } | { state: 'in'; info: SessionInfo };

export function App() {
  const [boot, setBoot] = useState<Boot>({ state: 'loading' });
  const load = () =>
    currentSession()
      .then((info) => setBoot(info ? { state: 'in', info } : { state: 'signed-out' }))
      .catch((error) => setBoot({ state: 'error', error: message(error) }));
  useEffect(() => {
    load();
    return onSignedOut(() => setBoot({ state: 'signed-out', note: 'Your session ended. Sign in again.' }));
  }, []);
  if (boot.state === 'loading') return <Loading label="Connecting to the SecureScan server…" />;
  if (boot.state === 'error')
    return (
      <main class="signin">
        <ErrorNote error={`The server did not answer: ${boot.error}`} onRetry={load} />
      </main>
    );
  if (boot.state === 'signed-out') return <SignIn note={boot.note} onSignedIn={(info) => setBoot({ state: 'in', info })} />;
  const session: Session = {
    caller: boot.info.caller!,
    dev: boot.info.caller!.source === 'dev',
    can: (scope) => allows(boot.info.caller!, scope),
    signOut: async () => {
      await signOut().catch(() => undefined);
      setBoot({ state: 'signed-out', note: 'Signed out.' });
    },
  };
  return (
    <SessionContext.Provider value={session}>
      <Shell session={session} />
    </SessionContext.Provider>
  );
}

function route(path: string): { page: Page; params: Record<string, string> } | null {
  for (const page of PAGES) {
    const params = match(page.path, path);
    if (params) return { page, params };
  }
  return null;
}

function Shell({ session }: { session: Session }) {
  const { path } = useLocation();
  const [palette, setPalette] = useState(false);
  const found = route(path);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.metaKey || event.ctrlKey) && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        setPalette((open) => !open);
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
  const groups = ['Scans', 'Reports', 'Settings'] as const;
  const View = found?.page.view;
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <nav class="sidebar" aria-label="Pages">
        <Link href="/" class="brand">
          <span class="logo" aria-hidden="true">
            ◆
          </span>
          <span class="label">SecureScan</span>
        </Link>
        {groups.map((group) => (
          <div class="nav-group" key={group}>
            <h2 class="label">{group}</h2>
            <ul>
              {PAGES.filter((p) => p.group === group && (!p.scope || session.can(p.scope))).map((p) => {
                const current = p.path === '/' ? path === '/' : path === p.path || (p.path !== '/scan' && path.startsWith(`${p.path}/`));
                return (
                  <li key={p.path}>
                    <Link href={p.path} aria-current={current ? 'page' : undefined} title={p.label}>
                      <span class="initial" aria-hidden="true">
                        {p.label[0]}
                      </span>
                      <span class="label">{p.label}</span>
                    </Link>
                  </li>
                );
              })}
            </ul>
          </div>
        ))}
      </nav>
      <header class="topbar">
        <span class="crumb">{found?.page.label ?? 'Not found'}</span>
        <button type="button" class="palette-trigger" onClick={() => setPalette(true)} aria-keyshortcuts="Control+K Meta+K">
          Search pages, scans, scanners… <kbd>Ctrl K</kbd>
        </button>
        <div class="widgets">
          <Bell />
          <Health />
          <ThemeToggle />
          {!session.dev && (
            <button type="button" class="ghost" onClick={() => session.signOut()} title={`Signed in as ${session.caller.name}`}>
              Sign out
            </button>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {session.dev && (
          <p class="note warn">Dev mode: no API key is configured on the server, so anyone who can reach it has full access.</p>
        )}
        {View && found ? <View params={found.params} key={path} /> : <NotFound />}
      </main>
      {palette && <Palette onClose={() => setPalette(false)} />}
    </div>
  );
}

function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        Nothing lives at <code>{location.pathname}</code>. <Link href="/">Back to the overview</Link>.
      </p>
    </section>
  );
}
