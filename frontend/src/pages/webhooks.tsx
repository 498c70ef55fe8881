// Settings → Webhooks: subscriptions, their signing secrets (shown once, at creation and on
// rotation), a test delivery and the delivery log, which refreshes every 5 s while it is open.
import { useState } from 'preact/hooks';
import { del, get, patch, post, type Schemas } from '../api/client';
import { CheckboxGroup, Confirm, Dialog, SecretDialog } from '../components/dialog';
import { Empty, ErrorNote, Loading, PageHeader, Time } from '../components/ui';
import { useAsync, useInterval, useTitle } from '../hooks';
import { useSession } from '../session';
import { NeedsAdmin } from './keys';

type Hook = Schemas['WebhookRecord'];
type Created = Schemas['WebhookCreated'];
type Delivery = Schemas['DeliveryRecord'];
type HookEvent = Schemas['WebhookEvent'];

// A Record, so a new event in the server's schema fails to compile until it is offered here.
const EVENT_HELP: Record<HookEvent, string> = {
  'scan.complete': 'a scan finished',
  'scan.failed': 'a scan failed',
  'scanner.failed': 'one scanner failed within a scan',
  'webhook.test': 'the Test button',
};
const EVENTS = Object.keys(EVENT_HELP) as HookEvent[];

const DELIVERY_MARK: Record<string, string> = { succeeded: '✓', failed: '✕', pending: '…', delivering: '◐' };

export function Webhooks(_: { params: Record<string, string> }) {
  useTitle('Webhooks');
  const session = useSession();
  if (!session.can('admin'))
    return <NeedsAdmin title="Webhooks" what="Only admins can see, create, test or delete webhooks." />;
  return <WebhooksAdmin />;
}

type Open =
  | { kind: 'create' }
  | { kind: 'edit'; hook: Hook }
  | { kind: 'delete'; hook: Hook }
  | { kind: 'rotate'; hook: Hook };

function WebhooksAdmin() {
  const hooks = useAsync((signal) => get<Hook[]>('webhooks', undefined, signal), []);
  const [open, setOpen] = useState<Open | null>(null);
  const [log, setLog] = useState<{ hook: Hook; nonce: number } | null>(null);
  const [testing, setTesting] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const test = async (hook: Hook) => {
    setTesting(hook.id);
    setError(null);
    try {
      await post<Schemas['TestQueued']>(`webhooks/${hook.id}/test`);
      setNotice(`Test delivery queued for ${hook.name}: watch the delivery log below.`);
      setLog({ hook, nonce: Date.now() });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setTesting(null);
    }
  };
  return (
    <section>
      <PageHeader
        title="Webhooks"
        meta={
          hooks.data &&
          `${hooks.data.length} webhook${hooks.data.length === 1 ? '' : 's'} · each signs with its own secret`
        }
      >
        <button type="button" class="primary" onClick={() => setOpen({ kind: 'create' })}>
          Create webhook
        </button>
      </PageHeader>
      {notice && (
        <p class="note" role="status">
          <span>{notice}</span>
          <button type="button" class="ghost small" onClick={() => setNotice(null)}>
            Dismiss
          </button>
        </p>
      )}
      <ErrorNote error={error} />
      <ErrorNote error={hooks.error} onRetry={hooks.reload} />
      {hooks.loading && !hooks.data ? (
        <Loading />
      ) : hooks.data && hooks.data.length === 0 ? (
        <Empty>No webhooks yet. Create one to have scan results POSTed to your chat or CI.</Empty>
      ) : (
        hooks.data && (
          <div class="table-wrap">
            <table class="webhooks-table">
              <caption class="sr-only">Webhooks</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">URL</th>
                  <th scope="col">Events</th>
                  <th scope="col">State</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {hooks.data.map((hook) => (
                  <tr key={hook.id} data-webhook-id={hook.id} class={hook.enabled ? undefined : 'disabled'}>
                    <td>
                      <strong>{hook.name}</strong>
                    </td>
                    <td class="url">
                      <code>{hook.url}</code>
                    </td>
                    <td>
                      <span class="chips">
                        {hook.event_filter.map((e) => (
                          <span class="chip" key={e}>
                            {e}
                          </span>
                        ))}
                      </span>
                    </td>
                    <td>
                      <span class={`hook-state ${hook.enabled ? 'on' : 'off'}`}>
                        <span aria-hidden="true">{hook.enabled ? '✓' : '⊘'}</span>{' '}
                        {hook.enabled ? 'enabled' : 'disabled'}
                      </span>
                    </td>
                    <td>
                      <Time iso={hook.created_at} />
                    </td>
                    <td class="actions-cell">
                      <span class="row">
                        <button
                          type="button"
                          class="small"
                          disabled={testing === hook.id}
                          onClick={() => test(hook)}
                          aria-label={`Test ${hook.name}`}
                        >
                          {testing === hook.id ? 'Testing…' : 'Test'}
                        </button>
                        <button
                          type="button"
                          class="small"
                          aria-label={`Deliveries of ${hook.name}`}
                          aria-pressed={log?.hook.id === hook.id}
                          onClick={() => setLog(log?.hook.id === hook.id ? null : { hook, nonce: Date.now() })}
                        >
                          Deliveries
                        </button>
                        <button
                          type="button"
                          class="small"
                          onClick={() => setOpen({ kind: 'edit', hook })}
                          aria-label={`Edit ${hook.name}`}
                        >
                          Edit
                        </button>
                        <button
                          type="button"
                          class="small"
                          onClick={() => setOpen({ kind: 'rotate', hook })}
                          aria-label={`Rotate the secret of ${hook.name}`}
                        >
                          Rotate secret
                        </button>
                        <button
                          type="button"
                          class="small danger"
                          onClick={() => setOpen({ kind: 'delete', hook })}
                          aria-label={`Delete ${hook.name}`}
                        >
                          Delete
                        </button>
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      )}
      {log && <DeliveryLog key={`${log.hook.id}:${log.nonce}`} hook={log.hook} onClose={() => setLog(null)} />}
      {(open?.kind === 'create' || open?.kind === 'edit') && (
        <WebhookDialog
          hook={open.kind === 'edit' ? open.hook : null}
          onSaved={hooks.reload}
          onClose={() => setOpen(null)}
        />
      )}
      {open?.kind === 'delete' && (
        <Confirm
          title={`Delete ${open.hook.name}?`}
          action="Delete"
          danger
          onClose={() => setOpen(null)}
          onConfirm={async () => {
            await del(`webhooks/${open.hook.id}`);
            if (log?.hook.id === open.hook.id) setLog(null);
            setOpen(null);
            setNotice(`Deleted ${open.hook.name} and its delivery log.`);
            hooks.reload();
          }}
        >
          <p>
            Nothing more is sent to <code>{open.hook.url}</code>, and its delivery log is deleted with it.
          </p>
        </Confirm>
      )}
      {open?.kind === 'rotate' && (
        <Confirm
          title={`Rotate the secret of ${open.hook.name}?`}
          action="Rotate"
          onClose={() => setOpen(null)}
          onConfirm={async () => {
            const rotated = await post<Created>(`webhooks/${open.hook.id}/rotate-secret`);
            return {
              title: `New signing secret for ${rotated.name}`,
              label: 'Verify X-SecureScan-Signature with it',
              value: rotated.secret,
            };
          }}
        >
          <p>
            Deliveries are signed with the new secret from now on: the receiver must be given it, or it will reject
            them.
          </p>
        </Confirm>
      )}
    </section>
  );
}

/** Create (then the secret, once, in the same dialog) or edit a webhook. */
function WebhookDialog({ hook, onSaved, onClose }: { hook: Hook | null; onSaved: () => void; onClose: () => void }) {
  const [name, setName] = useState(hook?.name ?? '');
  const [address, setAddress] = useState(hook?.url ?? '');
  const [events, setEvents] = useState<HookEvent[]>(
    hook ? EVENTS.filter((e) => hook.event_filter.includes(e)) : ['scan.complete', 'scan.failed', 'scanner.failed'],
  );
  const [enabled, setEnabled] = useState(hook?.enabled ?? true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<Created | null>(null);
  if (created)
    return (
      <SecretDialog
        title={`Webhook created: ${created.name}`}
        value={created.secret}
        label="Signing secret: verify X-SecureScan-Signature with it"
        onClose={onClose}
      />
    );
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (events.length === 0) {
      setError('Pick at least one event.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      if (hook) {
        const body: Schemas['WebhookUpdate'] = {
          name: name.trim(),
          url: address.trim(),
          event_filter: events,
          enabled,
        };
        await patch<Hook>(`webhooks/${hook.id}`, body);
        onSaved();
        onClose();
        return;
      }
      const body: Schemas['WebhookCreate'] = { name: name.trim(), url: address.trim(), event_filter: events };
      const made = await post<Created>('webhooks', body);
      // Creation has no `enabled` field: a webhook starts enabled, so a disabled one is a second call.
      if (!enabled) await patch<Hook>(`webhooks/${made.id}`, { enabled: false } satisfies Schemas['WebhookUpdate']);
      onSaved();
      setCreated(made);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={hook ? `Edit ${hook.name}` : 'Create a webhook'} onClose={onClose} closable={!busy}>
      <form onSubmit={submit}>
        <div class="field">
          <label for="hook-name">Name</label>
          <input
            id="hook-name"
            required
            autoComplete="off"
            value={name}
            onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)}
          />
        </div>
        <div class="field">
          <label for="hook-url">URL</label>
          <input
            id="hook-url"
            type="url"
            required
            autoComplete="off"
            spellcheck={false}
            placeholder="https://hooks.example.com/securescan"
            value={address}
            onInput={(e) => setAddress((e.currentTarget as HTMLInputElement).value)}
          />
          <span class="muted small-text">
            http(s). Slack and Discord webhook URLs get those services' message shapes.
          </span>
        </div>
        <CheckboxGroup legend="Events" name="event" options={EVENTS} help={EVENT_HELP} chosen={events} onChange={setEvents} code />
        <label class="check">
          <input
            type="checkbox"
            checked={enabled}
            onChange={(e) => setEnabled((e.currentTarget as HTMLInputElement).checked)}
          />{' '}
          Enabled
          <span class="muted"> — a disabled webhook is kept but sent nothing</span>
        </label>
        <ErrorNote error={error} />
        <div class="row dialog-actions">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Saving…' : hook ? 'Save' : 'Create webhook'}
          </button>
          <button type="button" class="ghost" onClick={onClose} disabled={busy}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function DeliveryLog({ hook, onClose }: { hook: Hook; onClose: () => void }) {
  const log = useAsync((signal) => get<Delivery[]>(`webhooks/${hook.id}/deliveries`, undefined, signal), [hook.id]);
  useInterval(log.reload, 5_000);
  return (
    <section class="card delivery-log" aria-labelledby="delivery-log-title" data-testid="delivery-log">
      <div class="row delivery-log-head">
        <h2 id="delivery-log-title">Deliveries of {hook.name}</h2>
        <span class="muted">newest first · refreshed every 5 s</span>
        <button type="button" class="ghost small" onClick={log.reload}>
          Refresh
        </button>
        <button type="button" class="ghost small" onClick={onClose}>
          Close
        </button>
      </div>
      <ErrorNote error={log.error} onRetry={log.reload} />
      {log.loading && !log.data ? (
        <Loading />
      ) : log.data && log.data.length === 0 ? (
        <Empty>Nothing sent yet. Test sends a webhook.test event through the same queue.</Empty>
      ) : (
        log.data && (
          <div class="table-wrap">
            <table>
              <caption class="sr-only">Deliveries of {hook.name}</caption>
              <thead>
                <tr>
                  <th scope="col">Status</th>
                  <th scope="col">Event</th>
                  <th scope="col" class="num">
                    Attempts
                  </th>
                  <th scope="col" class="num">
                    Response
                  </th>
                  <th scope="col">Error</th>
                  <th scope="col">Queued</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {log.data.map((d) => (
                  <tr key={d.id} data-delivery-id={d.id}>
                    <td>
                      <span class={`delivery-status delivery-${d.status}`}>
                        <span aria-hidden="true">{DELIVERY_MARK[d.status] ?? '•'}</span> {d.status}
                      </span>
                    </td>
                    <td>
                      <code>{d.event}</code>
                    </td>
                    <td class="num">{d.attempt}</td>
                    <td class="num">{d.response_code ?? <span class="muted">—</span>}</td>
                    <td class="error-cell">{d.error ?? <span class="muted">—</span>}</td>
                    <td>
                      <Time iso={d.created_at} />
                    </td>
                    <td>
                      <Time iso={d.updated_at} />
                      {d.status === 'pending' && d.next_attempt_unix > 0 && (
                        <span class="muted">
                          {' '}
                          · next try <Time iso={new Date(d.next_attempt_unix * 1000).toISOString()} />
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
    </section>
  );
}
