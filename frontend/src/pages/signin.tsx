import { useState } from 'preact/hooks';
import { message } from '../api/client';
import { ErrorNote } from '../components/ui';
import { type SessionInfo, signIn } from '../session';

export function SignIn({ note, onSignedIn }: { note?: string; onSignedIn: (info: SessionInfo) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await signIn(key.trim()));
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
      setKey('');
    }
  };
  return (
    <main class="signin" id="main">
      <form class="card" onSubmit={submit}>
        <h1>Sign in to SecureScan</h1>
        <p class="muted">
          Paste an API key. The server exchanges it for a session cookie that scripts cannot read; the key itself is not
          stored in this browser.
        </p>
        {note && <p class="note">{note}</p>}
        <label for="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          spellcheck={false}
          required
          value={key}
          onInput={(e) => setKey((e.currentTarget as HTMLInputElement).value)}
        />
        <ErrorNote error={error} />
        <button type="submit" class="primary" disabled={busy || !key.trim()}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
