// Every scan, as a server-paginated table. The API lists most recent first and cannot sort, so
// a header click sorts the rows of the current page only (the header says so); sort, page and
// page size live in the URL so a reload or a shared link shows the same view.
import { useEffect, useRef, useState } from 'preact/hooks';
import { del, message, page, post, type Scan } from '../api/client';
import { ActionsMenu, type MenuAction } from '../components/history-actions';
import { between, copy, duration, Empty, ErrorNote, Link, Loading, PageHeader, ScannerChips, shortId, StatusBadge, Time } from '../components/ui';
import { useAsync, useInterval, useTitle } from '../hooks';
import { navigate, setQuery, useLocation } from '../router';
import { useSession } from '../session';

const SIZES = [10, 25, 50, 100];
const DEFAULT_SIZE = 25;
const COLUMNS = ['target', 'started', 'duration', 'status', 'findings'] as const;
type Column = (typeof COLUMNS)[number];
const LABELS: Record<Column, string> = { target: 'Target', started: 'Started', duration: 'Duration', status: 'Status', findings: 'Findings' };

function key(scan: Scan, column: Column): string | number {
  switch (column) {
    case 'target':
      return scan.target_path;
    case 'started':
      return Date.parse(scan.started_at ?? scan.created_at) || 0;
    case 'duration':
      return between(scan.started_at, scan.completed_at) ?? -1;
    case 'status':
      return scan.status;
    case 'findings':
      return scan.findings_count;
  }
}

function sorted(scans: Scan[], column: Column | null, descending: boolean): Scan[] {
  if (!column) return scans;
  const out = [...scans];
  out.sort((a, b) => {
    const x = key(a, column);
    const y = key(b, column);
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return descending ? -order : order;
  });
  return out;
}

export function History(_: { params: Record<string, string> }) {
  useTitle('History');
  const { can } = useSession();
  const { query } = useLocation();
  const size = SIZES.includes(Number(query.get('size'))) ? Number(query.get('size')) : DEFAULT_SIZE;
  const pageNo = Math.max(1, Math.floor(Number(query.get('page'))) || 1);
  const sortParam = query.get('sort');
  const column = (COLUMNS as readonly string[]).includes(sortParam ?? '') ? (sortParam as Column) : null;
  const descending = query.get('dir') !== 'asc';
  const scans = useAsync((signal) => page<Scan>('scans', { limit: size, offset: (pageNo - 1) * size }, signal), [size, pageNo]);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState('');
  const [deleting, setDeleting] = useState<Scan | null>(null);
  const items = scans.data?.items ?? [];
  const total = scans.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / size));
  useInterval(() => {
    if (items.some((s) => s.status === 'pending' || s.status === 'running')) scans.reload();
  }, 3000);
  // A delete can empty the last page: step back to the new last page.
  useEffect(() => {
    if (scans.data && items.length === 0 && pageNo > 1 && total > 0) setQuery({ page: pages > 1 ? pages : null });
  }, [scans.data]);

  const sortBy = (c: Column) => {
    // First click on findings/duration/started shows the largest first; target/status A→Z.
    const firstDescending = c === 'findings' || c === 'duration' || c === 'started';
    const dir = column === c ? (descending ? 'asc' : 'desc') : firstDescending ? 'desc' : 'asc';
    setQuery({ sort: c, dir });
  };
  const act = async (work: () => Promise<unknown>, done?: string) => {
    setError(null);
    setNotice('');
    try {
      await work();
      if (done) setNotice(done);
      scans.reload();
    } catch (e) {
      setError(message(e));
    }
  };
  const actionsFor = (scan: Scan): MenuAction[] => {
    const actions: MenuAction[] = [];
    if (can('write')) {
      actions.push({
        label: 'Re-run',
        run: async () => {
          setError(null);
          try {
            const created = await post<Scan>('scans', {
              target_path: scan.target_path,
              target_url: scan.target_url ?? undefined,
              target_host: scan.target_host ?? undefined,
              scan_types: scan.scan_types,
            });
            navigate(`/scan/${created.id}`);
          } catch (e) {
            setError(message(e));
          }
        },
      });
      if (scan.status === 'pending' || scan.status === 'running')
        actions.push({ label: 'Cancel', run: () => act(() => post(`scans/${scan.id}/cancel`), `Scan ${shortId(scan.id)} cancelled.`) });
    }
    actions.push({
      label: 'Copy link',
      run: async () => {
        const link = `${location.origin}/scan/${scan.id}`;
        setNotice((await copy(link)) ? `Link copied: ${link}` : `Copy this link: ${link}`);
      },
    });
    if (can('write')) actions.push({ label: 'Delete…', danger: true, run: () => setDeleting(scan) });
    return actions;
  };

  return (
    <section>
      <PageHeader title="History" meta={scans.data ? `${total} scan${total === 1 ? '' : 's'}, most recent first` : undefined}>
        {can('write') && (
          <Link href="/scan" class="report-primary">
            New scan
          </Link>
        )}
      </PageHeader>
      <ErrorNote error={scans.error} onRetry={scans.reload} />
      <ErrorNote error={error} />
      <div role="status" aria-live="polite">
        {notice && <p class="note">{notice}</p>}
      </div>
      {!scans.data && !scans.error && <Loading />}
      {scans.data && total === 0 && (
        <Empty>
          No scans yet. {can('write') ? <Link href="/scan">Start your first scan</Link> : 'Scans appear here once someone runs one.'}
        </Empty>
      )}
      {items.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Scans">
          <table class="history-table">
            <caption class="sr-only">
              Scans, page {pageNo} of {pages}. Sorting reorders the rows of this page only.
            </caption>
            <thead>
              <tr>
                {COLUMNS.slice(0, 1).map((c) => (
                  <SortHeader key={c} column={c} active={column} descending={descending} onSort={sortBy} />
                ))}
                <th scope="col">Scanners</th>
                {COLUMNS.slice(1).map((c) => (
                  <SortHeader key={c} column={c} active={column} descending={descending} onSort={sortBy} />
                ))}
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sorted(items, column, descending).map((scan) => (
                <tr key={scan.id} data-scan-id={scan.id}>
                  <td class="mono history-target">
                    <Link href={`/scan/${scan.id}`}>{scan.target_path}</Link>
                    <span class="muted"> · {shortId(scan.id)}</span>
                  </td>
                  <td>
                    <ScannerChips names={scan.scanners_run.length ? scan.scanners_run : scan.scan_types} max={3} />
                  </td>
                  <td>
                    <Time iso={scan.started_at ?? scan.created_at} />
                  </td>
                  <td class="num">{duration(between(scan.started_at, scan.completed_at))}</td>
                  <td>
                    <StatusBadge status={scan.status} />
                  </td>
                  <td class="num" data-findings={scan.findings_count}>
                    {scan.findings_count}
                  </td>
                  <td>
                    <ActionsMenu scanId={scan.id} target={scan.target_path} actions={actionsFor(scan)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {scans.data && total > 0 && (
        <nav class="pager" aria-label="Pages of scans">
          <label for="history-size">Rows per page</label>
          <select id="history-size" value={size} onChange={(e) => setQuery({ size: e.currentTarget.value, page: null })}>
            {SIZES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
          <button type="button" disabled={pageNo <= 1} onClick={() => setQuery({ page: pageNo - 1 > 1 ? pageNo - 1 : null })}>
            Previous
          </button>
          <span>
            Page {pageNo} of {pages}
          </span>
          <button type="button" disabled={pageNo >= pages} onClick={() => setQuery({ page: pageNo + 1 })}>
            Next
          </button>
        </nav>
      )}
      {deleting && (
        <ConfirmDelete
          scan={deleting}
          onCancel={() => setDeleting(null)}
          onConfirm={async () => {
            const scan = deleting;
            setDeleting(null);
            await act(() => del(`scans/${scan.id}`), `Scan ${shortId(scan.id)} deleted.`);
          }}
        />
      )}
    </section>
  );
}

function SortHeader({ column, active, descending, onSort }: { column: Column; active: Column | null; descending: boolean; onSort: (c: Column) => void }) {
  const on = active === column;
  return (
    <th scope="col" class={column === 'findings' || column === 'duration' ? 'num' : undefined} aria-sort={on ? (descending ? 'descending' : 'ascending') : 'none'}>
      <button type="button" onClick={() => onSort(column)}>
        {LABELS[column]}
        <span aria-hidden="true" class="sort-mark">
          {on ? (descending ? ' ▼' : ' ▲') : ' ↕'}
        </span>
        <span class="sr-only"> (sorts this page)</span>
      </button>
    </th>
  );
}

function ConfirmDelete({ scan, onCancel, onConfirm }: { scan: Scan; onCancel: () => void; onConfirm: () => void }) {
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    cancel.current?.focus();
    return () => before?.focus?.();
  }, []);
  return (
    <div class="overlay" onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
      <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="history-delete-title">
        <h2 id="history-delete-title">Delete scan {shortId(scan.id)}?</h2>
        <p>
          The scan of <code>{scan.target_path}</code> and its {scan.findings_count} findings are removed for good. Triage verdicts stay with their
          fingerprints.
        </p>
        <div class="row">
          <button type="button" class="danger" onClick={onConfirm}>
            Delete scan
          </button>
          <button type="button" ref={cancel} onClick={onCancel}>
            Keep it
          </button>
        </div>
      </div>
    </div>
  );
}
