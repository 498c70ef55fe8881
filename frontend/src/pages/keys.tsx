// Settings → API keys: who you are, every key (revoked ones stay listed), create, rotate, revoke.
// A key's plaintext exists in exactly one server response; the page shows it in a dialog and
// forgets it when the dialog closes (nothing in state afterwards, nothing in storage).
import { useState } from 'preact/hooks';
import { type Caller, del, get, post, type Schemas, type Scope } from '../api/client';
import { CheckboxGroup, Confirm, Dialog, SecretDialog } from '../components/dialog';
import { Empty, ErrorNote, Loading, PageHeader, Time } from '../components/ui';
import { useAsync, useTitle } from '../hooks';
import { useSession } from '../session';

type Key = Schemas['KeyRecord'];
type Created = Schemas['KeyCreated'];

const SCOPES = ['read', 'write', 'admin'] as const satisfies readonly Scope[];

const SCOPE_HELP: Record<Scope, string> = {
  read: 'see scans, findings, reports',
  write: 'start and cancel scans, triage, comment',
  admin: 'keys, webhooks, installing scanners',
};

/** What a non-admin sees on an admin page: why, and nothing to click. */
export function NeedsAdmin({ title, what }: { title: string; what: string }) {
  const { caller } = useSession();
  return (
    <section>
      <PageHeader title={title} />
      <div class="note warn" role="note" data-testid="needs-admin">
        <span>
          <strong>This page needs an admin key.</strong> {what} You are signed in as <strong>{caller.name}</strong>{' '}
          with the {caller.scopes.join(' and ')} scope{caller.scopes.length === 1 ? '' : 's'}. Ask an administrator, or
          sign in with a key that has the admin scope.
        </span>
      </div>
    </section>
  );
}

type Open =
  | { kind: 'create' }
  | { kind: 'revoke'; key: Key }
  | { kind: 'rotate'; key: Key };

export function Keys(_: { params: Record<string, string> }) {
  useTitle('API keys');
  const session = useSession();
  if (!session.can('admin'))
    return <NeedsAdmin title="API keys" what="Only admins can list, create, rotate or revoke API keys." />;
  return <KeysAdmin />;
}

function KeysAdmin() {
  const me = useAsync((signal) => get<Caller>('keys/me', undefined, signal), []);
  const keys = useAsync((signal) => get<Key[]>('keys', undefined, signal), []);
  const [open, setOpen] = useState<Open | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const names = new Map((keys.data ?? []).map((k) => [k.id, k.name]));
  const who = (id: string | null | undefined) =>
    !id ? '—' : id === 'env' ? 'operator key (env)' : id === 'dev' ? 'dev mode' : (names.get(id) ?? id);
  const active = (keys.data ?? []).filter((k) => !k.revoked_at).length;
  return (
    <section>
      <PageHeader
        title="API keys"
        meta={keys.data ? `${active} active · ${keys.data.length - active} revoked` : undefined}
      >
        <button type="button" class="primary" onClick={() => setOpen({ kind: 'create' })}>
          Create key
        </button>
      </PageHeader>
      <ErrorNote error={me.error} onRetry={me.reload} />
      {me.data && (
        <p class="keys-me" data-testid="keys-me">
          Signed in as{' '}
          {me.data.source === 'env' ? (
            <strong>the operator key (SECURESCAN_API_KEY)</strong>
          ) : me.data.source === 'dev' ? (
            <strong>dev mode</strong>
          ) : (
            <>
              <strong>{me.data.name}</strong> (<code>{me.data.key?.prefix ?? me.data.id}…</code>)
            </>
          )}{' '}
          with scopes {me.data.scopes.join(', ')}.
        </p>
      )}
      {notice && (
        <p class="note" role="status">
          <span>{notice}</span>
          <button type="button" class="ghost small" onClick={() => setNotice(null)}>
            Dismiss
          </button>
        </p>
      )}
      <ErrorNote error={keys.error} onRetry={keys.reload} />
      {keys.loading && !keys.data ? (
        <Loading />
      ) : keys.data && keys.data.length === 0 ? (
        <Empty>No keys yet. Until one exists, only the operator key (or dev mode) can use the API.</Empty>
      ) : (
        keys.data && (
          <div class="table-wrap">
            <table class="keys-table">
              <caption class="sr-only">API keys</caption>
              <thead>
                <tr>
                  <th scope="col">Name and prefix</th>
                  <th scope="col">Scopes</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Expires</th>
                  <th scope="col">State</th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {keys.data.map((k) => (
                  <tr key={k.id} class={k.revoked_at ? 'revoked' : undefined} data-key-id={k.id}>
                    <td>
                      <strong>{k.name}</strong>
                      {me.data?.id === k.id && <span class="chip you">you</span>}
                      <code class="prefix">{k.prefix}…</code>
                    </td>
                    <td>
                      <span class="chips">
                        {k.scopes.map((s) => (
                          <span class="chip" key={s}>
                            {s}
                          </span>
                        ))}
                      </span>
                    </td>
                    <td class="created">
                      <Time iso={k.created_at} />
                      <span class="by muted">by {who(k.created_by)}</span>
                    </td>
                    <td>{k.last_used_at ? <Time iso={k.last_used_at} /> : <span class="muted">never</span>}</td>
                    <td>{k.expires_at ? <Time iso={k.expires_at} /> : <span class="muted">never</span>}</td>
                    <td>
                      <KeyState k={k} who={who} />
                    </td>
                    <td class="actions-cell">
                      {!k.revoked_at && (
                        <span class="row">
                          <button
                            type="button"
                            class="small"
                            onClick={() => setOpen({ kind: 'rotate', key: k })}
                            aria-label={`Rotate ${k.name}`}
                          >
                            Rotate
                          </button>
                          <button
                            type="button"
                            class="small danger"
                            onClick={() => setOpen({ kind: 'revoke', key: k })}
                            aria-label={`Revoke ${k.name}`}
                          >
                            Revoke
                          </button>
                        </span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      )}
      {open?.kind === 'create' && (
        <CreateKeyDialog
          onCreated={keys.reload}
          onClose={() => setOpen(null)}
        />
      )}
      {open?.kind === 'revoke' && (
        <Confirm
          title={`Revoke ${open.key.name}?`}
          action="Revoke"
          danger
          onClose={() => setOpen(null)}
          onConfirm={async () => {
            await del(`keys/${open.key.id}`);
            setOpen(null);
            setNotice(`Revoked ${open.key.name}: requests with it now get 401.`);
            keys.reload();
          }}
        >
          <p>
            Anything that uses <code>{open.key.prefix}…</code> gets 401 from its next request on. A revoked key stays
            listed and cannot be restored.
          </p>
          {me.data?.id === open.key.id && (
            <p class="note warn">This is the key you are signed in with: you will be signed out.</p>
          )}
        </Confirm>
      )}
      {open?.kind === 'rotate' && (
        <Confirm
          title={`Rotate ${open.key.name}?`}
          action="Rotate"
          onClose={() => setOpen(null)}
          onConfirm={async () => {
            const rotated = await post<Created>(`keys/${open.key.id}/rotate`);
            keys.reload();
            return {
              title: `New secret for ${rotated.name}`,
              label: `The rotated key (${rotated.scopes.join(', ')})`,
              value: rotated.key,
            };
          }}
        >
          <p>
            A new secret replaces the old one at once (same id, name and scopes); whatever uses the old one must be
            given the new one.
          </p>
          {me.data?.id === open.key.id && (
            <p class="note warn">
              This is the key you are signed in with: this session goes on, but the next sign-in needs the new secret.
            </p>
          )}
        </Confirm>
      )}
    </section>
  );
}

function KeyState({ k, who }: { k: Key; who: (id: string | null | undefined) => string }) {
  if (k.revoked_at)
    return (
      <span class="key-state revoked">
        <span aria-hidden="true">⊘</span> revoked <Time iso={k.revoked_at} />
        {k.revoked_by && <span class="by muted">by {who(k.revoked_by)}</span>}
      </span>
    );
  const expired = k.expires_at !== null && k.expires_at !== undefined && Date.parse(k.expires_at) <= Date.now();
  return (
    <span class={`key-state ${expired ? 'expired' : 'active'}`}>
      <span aria-hidden="true">{expired ? '✕' : '✓'}</span> {expired ? 'expired' : 'active'}
      {k.rotated_at && (
        <span class="by muted">
          rotated <Time iso={k.rotated_at} />
        </span>
      )}
    </span>
  );
}

function tomorrow(): string {
  return new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
}

/** The form, then (same dialog, so focus stays put) the plaintext, once. */
function CreateKeyDialog({ onCreated, onClose }: { onCreated: () => void; onClose: () => void }) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['read', 'write']);
  const [expires, setExpires] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<Created | null>(null);
  if (created)
    return (
      <SecretDialog
        title={`Key created: ${created.name}`}
        value={created.key}
        label={`Scopes: ${created.scopes.join(', ')}`}
        onClose={onClose}
      />
    );
  const submit = async (event: Event) => {
    event.preventDefault();
    if (scopes.length === 0) {
      setError('Pick at least one scope.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      // The end of the chosen UTC day: a date picker names a day, not an instant.
      const body: Schemas['KeyCreate'] = {
        name: name.trim(),
        scopes,
        expires_at: expires ? `${expires}T23:59:59Z` : null,
      };
      const key = await post<Created>('keys', body);
      setCreated(key);
      onCreated();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title="Create an API key" onClose={onClose} closable={!busy}>
      <form onSubmit={submit}>
        <div class="field">
          <label for="key-name">Name</label>
          <input
            id="key-name"
            required
            maxLength={200}
            autoComplete="off"
            placeholder="ci-runner"
            value={name}
            onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)}
          />
          <span class="muted small-text">Who or what the key is for; shown in the list and in the audit fields.</span>
        </div>
        <CheckboxGroup legend="Scopes" name="scope" options={SCOPES} help={SCOPE_HELP} chosen={scopes} onChange={setScopes} />
        <div class="field">
          <label for="key-expires">Expires (optional)</label>
          <input
            id="key-expires"
            type="date"
            min={tomorrow()}
            value={expires}
            onInput={(e) => setExpires((e.currentTarget as HTMLInputElement).value)}
          />
          <span class="muted small-text">
            At the end of that day (UTC). Leave empty for a key that does not expire.
          </span>
        </div>
        <ErrorNote error={error} />
        <div class="row dialog-actions">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create key'}
          </button>
          <button type="button" class="ghost" onClick={onClose} disabled={busy}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
