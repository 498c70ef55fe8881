// The unread badge (polled every 30 s, as documented) and a popover of the ten newest.
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, patch, type Schemas } from '../api/client';
import { useInterval } from '../hooks';
import { navigate } from '../router';
import { Link, Time } from './ui';

type Notification = Schemas['NotificationRecord'];

/** Dispatched on window by pages that change read state, so the badge need not wait for the poll. */
export const NOTIFICATIONS_CHANGED = 'securescan:notifications-changed';

export function Bell() {
  const [count, setCount] = useState<number | null>(null);
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<Notification[] | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const refresh = () =>
    get<Schemas['UnreadCount']>('notifications/unread-count')
      .then((r) => setCount(r.count))
      .catch(() => setCount(null));
  useEffect(() => void refresh(), []);
  useEffect(() => {
    addEventListener(NOTIFICATIONS_CHANGED, refresh);
    return () => removeEventListener(NOTIFICATIONS_CHANGED, refresh);
  }, []);
  useInterval(refresh, 30_000);
  useEffect(() => {
    if (!open) return;
    get<Notification[]>('notifications', { limit: 10 })
      .then(setItems)
      .catch(() => setItems([]));
    const close = (event: Event) => {
      if (event instanceof KeyboardEvent ? event.key === 'Escape' : !box.current?.contains(event.target as Node)) setOpen(false);
    };
    addEventListener('keydown', close);
    addEventListener('mousedown', close);
    return () => {
      removeEventListener('keydown', close);
      removeEventListener('mousedown', close);
    };
  }, [open]);
  const unread = count ?? 0;
  return (
    <div class="popover-anchor" ref={box}>
      <button
        type="button"
        class="icon-button bell"
        aria-expanded={open}
        aria-haspopup="dialog"
        aria-label={`Notifications: ${unread} unread`}
        onClick={() => setOpen(!open)}
      >
        <svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
          <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
          <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
        </svg>
        {unread > 0 && (
          <span class="badge" data-testid="unread-badge">
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </button>
      {open && (
        <div class="popover" role="dialog" aria-label="Recent notifications">
          <div class="popover-head">
            <strong>Notifications</strong>
            {unread > 0 && (
              <button
                type="button"
                class="ghost small"
                onClick={() => patch('notifications/read-all').then(() => (refresh(), setItems((i) => i?.map((n) => ({ ...n, read_at: n.read_at ?? 'now' })) ?? null)))}
              >
                Mark all read
              </button>
            )}
          </div>
          {items === null ? (
            <p class="muted">Loading…</p>
          ) : items.length === 0 ? (
            <p class="muted">Nothing yet: scan results and failures appear here.</p>
          ) : (
            <ul class="feed compact">
              {items.map((n) => (
                <li key={n.id} class={n.read_at ? 'read' : 'unread'}>
                  <span class={`sev sev-${n.severity}`}>
                    <span class="dot" aria-hidden="true" />
                    <span class="sr-only">{n.severity}</span>
                  </span>
                  <a
                    href={n.link ?? (n.scan_id ? `/scan/${n.scan_id}` : '/notifications')}
                    onClick={(e) => {
                      e.preventDefault();
                      setOpen(false);
                      if (!n.read_at) patch(`notifications/${n.id}/read`).then(refresh, () => undefined);
                      navigate(n.link ?? (n.scan_id ? `/scan/${n.scan_id}` : '/notifications'));
                    }}
                  >
                    {n.title}
                  </a>
                  <Time iso={n.created_at} />
                </li>
              ))}
            </ul>
          )}
          <Link href="/notifications" onClick={() => setOpen(false)} class="see-all">
            All notifications
          </Link>
        </div>
      )}
    </div>
  );
}
