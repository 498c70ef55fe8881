// The full notification feed (the bell shows the ten newest): the server keeps the 200 newest
// reachable in one page, which is all this page asks for. `?unread=1` keeps the filter in the URL.
import { useEffect, useState } from 'preact/hooks';
import { get, patch, type Schemas } from '../api/client';
import { NOTIFICATIONS_CHANGED } from '../components/bell';
import { Empty, ErrorNote, Link, Loading, PageHeader, SeverityBadge, Time } from '../components/ui';
import { useAsync, useTitle } from '../hooks';
import { setQuery, useLocation } from '../router';
import { useSession } from '../session';

type Notification = Schemas['NotificationRecord'];

const LIMIT = 200;

const TYPE_LABEL: Record<string, string> = {
  'scan.complete': 'scan complete',
  'scan.failed': 'scan failed',
  'scanner.failed': 'scanner failed',
};

function tellBell() {
  dispatchEvent(new Event(NOTIFICATIONS_CHANGED));
}

export function Notifications(_: { params: Record<string, string> }) {
  useTitle('Notifications');
  const session = useSession();
  const canWrite = session.can('write');
  const { query } = useLocation();
  const unreadOnly = query.get('unread') === '1';
  const feed = useAsync(
    (signal) => get<Notification[]>('notifications', { limit: LIMIT, unread_only: unreadOnly || undefined }, signal),
    [unreadOnly],
  );
  // Local edits over the fetched list: marking read must not refetch 200 rows each time.
  const [items, setItems] = useState<Notification[] | undefined>(undefined);
  useEffect(() => {
    setItems(feed.data);
    if (feed.data) tellBell();
  }, [feed.data]);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const unread = (items ?? []).filter((n) => !n.read_at).length;

  const markOne = async (n: Notification) => {
    setBusy(n.id);
    setError(null);
    try {
      const updated = await patch<Notification>(`notifications/${n.id}/read`);
      setItems((list) =>
        unreadOnly ? list?.filter((x) => x.id !== n.id) : list?.map((x) => (x.id === n.id ? updated : x)),
      );
      tellBell();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(null);
    }
  };
  const markAll = async () => {
    setBusy('all');
    setError(null);
    try {
      const result = await patch<Schemas['MarkedRead']>('notifications/read-all');
      setNotice(`Marked ${result.marked_read} notification${result.marked_read === 1 ? '' : 's'} read.`);
      tellBell();
      feed.reload();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(null);
    }
  };

  return (
    <section>
      <PageHeader
        title="Notifications"
        meta={
          items
            ? `${items.length}${items.length === LIMIT ? ' (the newest)' : ''} shown · ${unread} unread`
            : 'Scan results and failures, newest first'
        }
      >
        <button
          type="button"
          class="toggle"
          aria-pressed={unreadOnly}
          onClick={() => {
            setNotice(null);
            setQuery({ unread: unreadOnly ? null : '1' });
          }}
        >
          Unread only
        </button>
        {canWrite && (
          <button type="button" class="primary" disabled={busy !== null || unread === 0} onClick={markAll}>
            {busy === 'all' ? 'Marking…' : 'Mark all read'}
          </button>
        )}
      </PageHeader>
      {notice && (
        <p class="note" role="status">
          <span>{notice}</span>
        </p>
      )}
      <ErrorNote error={error} />
      <ErrorNote error={feed.error} onRetry={feed.reload} />
      {feed.loading && !items ? (
        <Loading />
      ) : items && items.length === 0 ? (
        <Empty>
          {unreadOnly
            ? 'Nothing unread.'
            : 'No notifications yet: a scan with findings, a failed scan and a failed scanner each leave one here.'}
        </Empty>
      ) : (
        items && (
          <ul class="notif-feed" aria-label="Notifications">
            {items.map((n) => {
              const href = n.link ?? (n.scan_id ? `/scan/${n.scan_id}` : null);
              return (
                <li
                  key={n.id}
                  class={`card notif sev-edge-${n.severity} ${n.read_at ? 'read' : 'unread'}`}
                  data-notification-id={n.id}
                >
                  <div class="notif-sev">
                    <SeverityBadge severity={n.severity} />
                  </div>
                  <div class="notif-main">
                    <p class="notif-title">
                      {n.read_at ? <span>{n.title}</span> : <strong>{n.title}</strong>}
                      {!n.read_at && (
                        <span class="unread-mark">
                          <span aria-hidden="true">●</span>
                          <span class="sr-only">unread</span>
                        </span>
                      )}
                      <span class="chip">{TYPE_LABEL[n.type] ?? n.type}</span>
                    </p>
                    {n.body && <p class="notif-body">{n.body}</p>}
                    <p class="notif-meta muted">
                      <Time iso={n.created_at} />
                      {href && (
                        <>
                          {' · '}
                          <Link href={href}>{n.scan_id ? `Open scan ${n.scan_id.slice(0, 8)}` : 'Open'}</Link>
                        </>
                      )}
                      {n.read_at && (
                        <>
                          {' · read '}
                          <Time iso={n.read_at} />
                        </>
                      )}
                    </p>
                  </div>
                  <div class="notif-actions">
                    {canWrite && !n.read_at && (
                      <button
                        type="button"
                        class="small"
                        disabled={busy !== null}
                        onClick={() => markOne(n)}
                        aria-label={`Mark “${n.title}” read`}
                      >
                        {busy === n.id ? 'Marking…' : 'Mark read'}
                      </button>
                    )}
                  </div>
                </li>
              );
            })}
          </ul>
        )
      )}
    </section>
  );
}
