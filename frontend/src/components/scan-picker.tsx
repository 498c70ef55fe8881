// The target picker: walks directories through GET /dashboard/browse, which refuses anything
// outside the allowed roots, so the picker cannot offer a target the server would reject.
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, type Schemas } from '../api/client';
import { useAsync } from '../hooks';
import { ErrorNote, Loading } from './ui';

type Listing = Schemas['Listing'];

export function DirectoryPicker({
  start,
  onChoose,
  onClose,
}: {
  /** Where to open: the path typed so far (ignored by the server when it is outside the roots). */
  start: string;
  onChoose: (path: string) => void;
  onClose: () => void;
}) {
  const [path, setPath] = useState<string | null>(start.trim() || null);
  const listing = useAsync<Listing>((signal) => get<Listing>('dashboard/browse', { path: path ?? undefined }, signal), [path]);
  const dialog = useRef<HTMLDivElement>(null);
  const opener = useRef<Element | null>(document.activeElement);

  // A typed path that is not a directory inside the roots: fall back to the first root once, so
  // the picker always opens somewhere useful.
  const [fellBack, setFellBack] = useState(false);
  useEffect(() => {
    if (listing.error && path !== null && path === start.trim() && !fellBack) {
      setFellBack(true);
      setPath(null);
    }
  }, [listing.error, path, start, fellBack]);

  useEffect(() => {
    dialog.current?.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    return () => (opener.current as HTMLElement | null)?.focus?.();
  }, []);

  // Focus stays on the list after moving, so a keyboard user can keep walking.
  useEffect(() => {
    if (listing.data && !listing.loading) dialog.current?.querySelector<HTMLElement>('.picker-list button, [data-autofocus]')?.focus();
  }, [listing.data, listing.loading]);

  const onKey = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      onClose();
    }
    if (event.key === 'Tab' && dialog.current) {
      const items = Array.from(dialog.current.querySelectorAll<HTMLElement>('button:not(:disabled), input, select, a[href]'));
      if (items.length === 0) return;
      const first = items[0];
      const last = items[items.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    }
  };

  const data = listing.data;
  const dirs = data?.entries.filter((e) => e.is_dir) ?? [];
  const files = data?.entries.filter((e) => !e.is_dir) ?? [];
  return (
    <div class="overlay" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div class="dialog picker" role="dialog" aria-modal="true" aria-labelledby="picker-title" ref={dialog} onKeyDown={onKey}>
        <h2 id="picker-title">Choose a directory</h2>
        {data && (
          <p class="picker-current">
            <span class="muted">In </span>
            <code>{data.current}</code>
          </p>
        )}
        {data && data.roots.length > 1 && (
          <div class="row picker-roots" role="group" aria-label="Allowed roots">
            {data.roots.map((root) => (
              <button type="button" class="small" key={root} onClick={() => setPath(root)} aria-pressed={root === data.current}>
                {root}
              </button>
            ))}
          </div>
        )}
        <ErrorNote error={listing.error} onRetry={listing.reload} />
        {listing.loading && !data && <Loading />}
        {data && (
          <>
            <div class="row">
              <button type="button" class="small" disabled={!data.parent} onClick={() => data.parent && setPath(data.parent)}>
                <span aria-hidden="true">↑</span> Up
              </button>
              {!data.parent && <span class="muted small-text">Top of an allowed root</span>}
            </div>
            <ul class="picker-list" aria-label="Directories" aria-busy={listing.loading}>
              {dirs.map((entry) => (
                <li key={entry.path}>
                  <button type="button" class="ghost" onClick={() => setPath(entry.path)}>
                    <span aria-hidden="true">▸ </span>
                    {entry.name}
                    <span class="sr-only"> (open)</span>
                  </button>
                </li>
              ))}
              {files.map((entry) => (
                <li key={entry.path} class="muted file">
                  {entry.name}
                </li>
              ))}
              {dirs.length === 0 && files.length === 0 && <li class="muted">No sub-directories here.</li>}
            </ul>
          </>
        )}
        <div class="row dialog-actions">
          <button type="button" class="primary" data-autofocus disabled={!data} onClick={() => data && onChoose(data.current)}>
            Choose this directory
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
}
