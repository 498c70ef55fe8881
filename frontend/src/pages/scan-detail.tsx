// Scan detail: what a scan found and what people decided about it. The findings table pages and
// filters on the server (a scan may hold tens of thousands of findings; the page never holds more
// than one page of them), and every filter lives in the URL, so a filtered view reloads and
// shares as it is.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { del, type Finding, get, message, page, post, type Scan, type Schemas, type Summary, type TriageStatus, url } from '../api/client';
import { FindingRow, TRIAGE } from '../components/finding-row';
import { ProgressPanel, useScanProgress } from '../components/scan-progress';
import {
  between,
  duration,
  Empty,
  ErrorNote,
  Link,
  Loading,
  PageHeader,
  SEVERITIES,
  type Severity,
  SeverityBadge,
  shortId,
  StatusBadge,
  Time,
} from '../components/ui';
import { useAsync, useTitle } from '../hooks';
import { navigate, setQuery, useLocation } from '../router';
import { useSession } from '../session';

const SIZES = [25, 50, 100, 200];
const DEFAULT_SIZE = 50;
/** Decisions already made need no attention: the triage docs' default view hides them. */
const DEFAULT_STATUSES: TriageStatus[] = ['new', 'triaged', 'fixed'];
const ENDED = new Set(['completed', 'failed', 'cancelled']);
const REPORTS = [
  ['html', 'HTML'],
  ['pdf', 'PDF'],
  ['sarif', 'SARIF'],
  ['csv', 'CSV'],
  ['junit', 'JUnit'],
  ['json', 'JSON'],
] as const;

/** A set of choices from the URL: absent means the default, `none` an empty set. */
function readSet<T extends string>(raw: string | null, all: readonly T[], fallback: readonly T[]): T[] {
  if (raw === null) return [...fallback];
  if (raw === 'none') return [];
  const wanted = raw.split(',');
  return all.filter((value) => wanted.includes(value));
}

function writeSet<T extends string>(set: readonly T[], all: readonly T[], fallback: readonly T[]): string | undefined {
  const canonical = all.filter((value) => set.includes(value));
  if (canonical.length === fallback.length && canonical.every((v) => fallback.includes(v))) return undefined;
  return canonical.length === 0 ? 'none' : canonical.join(',');
}

function flip<T>(set: readonly T[], value: T): T[] {
  return set.includes(value) ? set.filter((v) => v !== value) : [...set, value];
}

export function ScanDetail({ params }: { params: Record<string, string> }) {
  const id = params.id;
  const session = useSession();
  const canWrite = session.can('write');
  const { query } = useLocation();

  const scan = useAsync((signal) => get<Scan>(`scans/${id}`, undefined, signal), [id]);
  const summary = useAsync((signal) => get<Summary>(`scans/${id}/summary`, undefined, signal), [id]);
  useTitle(scan.data ? `Scan ${shortId(scan.data.id)} · ${scan.data.target_path}` : 'Scan');

  // Filters and paging, from the URL.
  const severities = readSet(query.get('severity'), SEVERITIES, SEVERITIES);
  const statuses = readSet(query.get('status'), TRIAGE, DEFAULT_STATUSES);
  const scanner = query.get('scanner') ?? '';
  const showSuppressed = query.get('suppressed') === '1';
  const text = query.get('q') ?? '';
  const sizeParam = Number(query.get('size'));
  const size = SIZES.includes(sizeParam) ? sizeParam : DEFAULT_SIZE;
  const pageNo = Math.max(1, Math.floor(Number(query.get('page')) || 1));

  const filters = {
    severity: severities.length < SEVERITIES.length ? severities.join(',') : undefined,
    scanner: scanner || undefined,
    suppressed: showSuppressed ? undefined : false,
    q: text || undefined,
  };
  const nothingChosen = severities.length === 0 || statuses.length === 0;
  const findingsKey = JSON.stringify({ ...filters, statuses, size, pageNo });
  const findings = useAsync(
    (signal) =>
      nothingChosen
        ? Promise.resolve({ items: [] as Finding[], total: 0 })
        : page<Finding>(
            `scans/${id}/findings`,
            {
              ...filters,
              status: statuses.length < TRIAGE.length ? statuses.join(',') : undefined,
              limit: size,
              offset: (pageNo - 1) * size,
            },
            signal,
          ),
    [id, findingsKey],
  );
  // How many the status filter hides: one row fetched, the count read from X-Total-Count.
  const hiddenStatuses = TRIAGE.filter((s) => !statuses.includes(s));
  const hidden = useAsync(
    (signal) =>
      hiddenStatuses.length === 0 || severities.length === 0
        ? Promise.resolve(0)
        : page<Finding>(`scans/${id}/findings`, { ...filters, status: hiddenStatuses.join(','), limit: 1 }, signal).then((p) => p.total),
    [id, JSON.stringify({ ...filters, hiddenStatuses })],
  );

  // Verdicts saved here, shown at once without refetching the page.
  const [states, setStates] = useState<Record<string, Schemas['StateRecord']>>({});
  useEffect(() => setStates({}), [findings.data]);
  const [expanded, setExpanded] = useState<Set<string>>(new Set());

  // Live progress: follow the stream once the scan is seen pending or running, and keep the
  // finished rows on screen afterwards (they say how long each scanner took).
  const [watching, setWatching] = useState(false);
  const status = scan.data?.status;
  useEffect(() => {
    if (status && !ENDED.has(status)) setWatching(true);
  }, [status]);
  const progress = useScanProgress(
    id,
    watching,
    () => {
      scan.reload();
      summary.reload();
      findings.reload();
      hidden.reload();
    },
    () => scan.reload(),
  );

  const [actionError, setActionError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);

  const setFilter = (changes: Record<string, string | number | undefined | null>) => setQuery({ ...changes, page: undefined });

  if (scan.error && !scan.data) {
    return (
      <section>
        <PageHeader title="Scan" meta={<span class="mono">{id}</span>} />
        <ErrorNote error={scan.error} onRetry={scan.reload} />
        <p>
          <Link href="/history">Back to the history</Link>
        </p>
      </section>
    );
  }
  if (!scan.data) return <Loading label="Loading the scan…" />;
  const record = scan.data;
  const running = !ENDED.has(record.status);

  const act = async (name: string, work: () => Promise<void>) => {
    setBusy(name);
    setActionError(null);
    try {
      await work();
    } catch (err) {
      setActionError(message(err));
    } finally {
      setBusy(null);
    }
  };
  const cancel = () =>
    act('cancel', async () => {
      await post<Scan>(`scans/${id}/cancel`);
      scan.reload();
    });
  const rerun = () =>
    act('rerun', async () => {
      const next = await post<Scan>('scans', {
        target_path: record.target_path,
        scan_types: record.scan_types as Schemas['ApiScanType'][],
        target_url: record.target_url ?? null,
        target_host: record.target_host ?? null,
      } satisfies Schemas['ScanCreate']);
      navigate(`/scan/${next.id}`);
    });
  const remove = () =>
    act('delete', async () => {
      await del(`scans/${id}`);
      setConfirming(false);
      navigate('/history');
    });

  const sum = summary.data;
  const items = findings.data?.items ?? [];
  const total = findings.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / size));
  const first = total === 0 ? 0 : (pageNo - 1) * size + 1;
  const last = Math.min(total, pageNo * size);
  const scanners = [
    ...new Set([
      ...(sum?.scanners_run ?? record.scanners_run),
      ...(sum?.scanners_failed ?? record.scanners_failed).map((f) => f.name),
      ...(scanner ? [scanner] : []),
    ]),
  ].sort();
  const target = record.target_path;

  return (
    <section class="scan-detail">
      <PageHeader
        title={target}
        meta={
          <>
            <span title={record.id}>scan {shortId(record.id)}</span> · <StatusBadge status={record.status} /> · {record.scan_types.join(', ')}
            {record.target_url && <> · <span class="mono">{record.target_url}</span></>}
            {record.target_host && <> · <span class="mono">{record.target_host}</span></>} · queued <Time iso={record.created_at} />
          </>
        }
      >
        {canWrite && running && (
          <button type="button" class="danger" onClick={cancel} disabled={busy !== null}>
            {busy === 'cancel' ? 'Cancelling…' : 'Cancel scan'}
          </button>
        )}
        {canWrite && (
          <button type="button" onClick={rerun} disabled={busy !== null}>
            {busy === 'rerun' ? 'Starting…' : 'Re-run'}
          </button>
        )}
        {canWrite && (
          <button type="button" class="danger" onClick={() => setConfirming(true)} disabled={busy !== null}>
            Delete
          </button>
        )}
      </PageHeader>
      {!confirming && <ErrorNote error={actionError} />}
      {record.status === 'failed' && record.error && <p class="note error scan-error">{record.error}</p>}

      {sum && ENDED.has(sum.status) && <StatLine summary={sum} scan={record} />}
      <ErrorNote error={summary.error} onRetry={summary.reload} />

      {record.status === 'completed' && (
        <p class="report-links">
          <span class="muted">Download report:</span>
          {REPORTS.map(([format, label]) => (
            <a key={format} href={url(`scans/${id}/report`, { format })} download>
              {label}
            </a>
          ))}
        </p>
      )}

      {watching && <ProgressPanel progress={progress} status={record.status} />}

      {sum && <ScannerStrip summary={sum} />}

      {!running && (
        <div class="filter-bar" role="group" aria-label="Filter findings">
          <div class="row" role="group" aria-label="Severity">
            <span class="filter-label">Severity</span>
            {SEVERITIES.map((sev: Severity) => (
              <button
                type="button"
                key={sev}
                class="toggle small"
                aria-pressed={severities.includes(sev)}
                onClick={() => setFilter({ severity: writeSet(flip(severities, sev), SEVERITIES, SEVERITIES) })}
              >
                <SeverityBadge severity={sev} count={sum ? sum[sev] : undefined} />
              </button>
            ))}
          </div>
          <div class="row" role="group" aria-label="Triage status">
            <span class="filter-label">Status</span>
            {TRIAGE.map((s) => (
              <button
                type="button"
                key={s}
                class="toggle small"
                aria-pressed={statuses.includes(s)}
                onClick={() => setFilter({ status: writeSet(flip(statuses, s), TRIAGE, DEFAULT_STATUSES) })}
              >
                {s}
              </button>
            ))}
          </div>
          <div class="row">
            <label for="filter-scanner" class="filter-label">
              Scanner
            </label>
            <select id="filter-scanner" value={scanner} onChange={(e) => setFilter({ scanner: e.currentTarget.value || undefined })}>
              <option value="">All scanners</option>
              {scanners.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
            <SearchBox value={text} onSearch={(q) => setFilter({ q: q || undefined })} />
            <label class="check">
              <input
                type="checkbox"
                checked={showSuppressed}
                onChange={(e) => setFilter({ suppressed: e.currentTarget.checked ? '1' : undefined })}
              />
              Show suppressed findings
            </label>
            {(query.has('severity') || query.has('status') || query.has('scanner') || query.has('suppressed') || query.has('q')) && (
              <button
                type="button"
                class="ghost small"
                onClick={() => setFilter({ severity: undefined, status: undefined, scanner: undefined, suppressed: undefined, q: undefined })}
              >
                Reset filters
              </button>
            )}
          </div>
        </div>
      )}

      {!running && hidden.data !== undefined && hidden.data > 0 && (
        <p class="muted small-text hidden-note">
          {hidden.data} finding{hidden.data === 1 ? ' is' : 's are'} hidden by the status filter ({hiddenStatuses.join(', ')}).
          <button type="button" class="ghost small" onClick={() => setFilter({ status: TRIAGE.join(',') })}>
            Show every status
          </button>
        </p>
      )}

      <ErrorNote error={findings.error} onRetry={findings.reload} />
      <FindingsTable
        items={items}
        states={states}
        target={target}
        expanded={expanded}
        loading={findings.loading}
        onToggle={(findingId) =>
          setExpanded((open) => {
            const next = new Set(open);
            if (next.has(findingId)) next.delete(findingId);
            else next.add(findingId);
            return next;
          })
        }
        onState={(state) => setStates((s) => ({ ...s, [state.fingerprint]: state }))}
        canWrite={canWrite}
        callerId={session.caller.id}
        empty={
          findings.loading && !findings.data
            ? null
            : nothingChosen
              ? 'No severity or no status is selected: pick at least one of each.'
              : running
                ? 'Findings appear here when the scan completes.'
                : total === 0
                  ? query.toString()
                    ? 'No findings match these filters.'
                    : 'This scan found nothing.'
                  : pageNo > pages
                    ? `There is no page ${pageNo}: the last is ${pages}.`
                    : null
        }
      />
      {!running && total > 0 && (
        <Pager
          page={pageNo}
          pages={pages}
          first={first}
          last={last}
          total={total}
          size={size}
          onPage={(p) => setQuery({ page: p === 1 ? undefined : p })}
          onSize={(s) => setQuery({ size: s === DEFAULT_SIZE ? undefined : s, page: undefined })}
        />
      )}

      {confirming && (
        <ConfirmDelete
          target={target}
          busy={busy === 'delete'}
          error={actionError}
          onConfirm={remove}
          onClose={() => {
            setConfirming(false);
            setActionError(null);
          }}
        />
      )}
    </section>
  );
}

function StatLine({ summary, scan }: { summary: Summary; scan: Scan }) {
  const took = between(summary.started_at, summary.completed_at);
  return (
    <ul class="statline" aria-label="Scan summary">
      <li>
        <span class="value">{ENDED.has(summary.status) ? summary.risk_score.toFixed(1) : '—'}</span>
        <span class="name">risk score</span>
      </li>
      <li>
        <span class="value">{summary.total_findings}</span>
        <span class="name">findings</span>
      </li>
      {SEVERITIES.map((sev) => (
        <li key={sev}>
          <span class="value">{summary[sev]}</span>
          <span class="name">
            <SeverityBadge severity={sev} />
          </span>
        </li>
      ))}
      <li>
        <span class="value">{summary.scanners_run.length}</span>
        <span class="name">scanner{summary.scanners_run.length === 1 ? '' : 's'} ran</span>
      </li>
      <li>
        <span class="value">{took !== null ? duration(took) : scan.started_at ? '…' : '—'}</span>
        <span class="name">duration</span>
      </li>
    </ul>
  );
}

function ScannerStrip({ summary }: { summary: Summary }) {
  const { scanners_run: ran, scanners_skipped: skipped, scanners_failed: failed } = summary;
  if (ran.length + skipped.length + failed.length === 0) return null;
  return (
    <div class="scanner-strip">
      {ran.length > 0 && (
        <div class="strip-group">
          <span class="strip-label">Ran:</span>
          <span class="chips">
            {ran.map((name) => (
              <span class="chip" key={name}>
                {name}
              </span>
            ))}
          </span>
        </div>
      )}
      {skipped.length > 0 && (
        <div class="strip-group">
          <span class="strip-label">Skipped ({skipped.length}):</span>
          <ul class="strip-reasons">
            {skipped.map((s) => (
              <li key={s.name}>
                <span class="chip">{s.name}</span> <span class="muted">{s.reason}</span>
                {s.install_hint && <span class="hint"> · {s.install_hint}</span>}
              </li>
            ))}
          </ul>
        </div>
      )}
      {failed.length > 0 && (
        <div class="strip-group">
          <span class="strip-label failed">Failed ({failed.length}):</span>
          <ul class="strip-reasons">
            {failed.map((f) => (
              <li key={f.name}>
                <span class="chip">{f.name}</span> <strong>{f.kind}</strong> <span class="muted">{f.error}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

function FindingsTable({
  items,
  states,
  target,
  expanded,
  loading,
  onToggle,
  onState,
  canWrite,
  callerId,
  empty,
}: {
  items: Finding[];
  states: Record<string, Schemas['StateRecord']>;
  target: string;
  expanded: Set<string>;
  loading: boolean;
  onToggle: (id: string) => void;
  onState: (state: Schemas['StateRecord']) => void;
  canWrite: boolean;
  callerId: string;
  empty: string | null;
}) {
  const shown = useMemo(() => items.map((f) => (states[f.fingerprint] ? { ...f, state: states[f.fingerprint] } : f)), [items, states]);
  if (empty) return <Empty>{empty}</Empty>;
  if (loading && items.length === 0) return <Loading label="Loading findings…" />;
  return (
    <div class="table-wrap findings-wrap" aria-busy={loading}>
      <table class="scan-findings">
        <caption class="sr-only">Findings</caption>
        <thead>
          <tr>
            <th scope="col">Severity</th>
            <th scope="col">Finding</th>
            <th scope="col">Location</th>
            <th scope="col">Scanner</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((finding) => (
            <FindingRow
              key={finding.id}
              finding={finding}
              target={target}
              expanded={expanded.has(finding.id)}
              onToggle={() => onToggle(finding.id)}
              onState={onState}
              canWrite={canWrite}
              callerId={callerId}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Pager({
  page,
  pages,
  first,
  last,
  total,
  size,
  onPage,
  onSize,
}: {
  page: number;
  pages: number;
  first: number;
  last: number;
  total: number;
  size: number;
  onPage: (page: number) => void;
  onSize: (size: number) => void;
}) {
  return (
    <nav class="pager" aria-label="Findings pages">
      <span class="muted" role="status">
        {total === 0 ? 'No findings' : `${first}–${last} of ${total}`}
      </span>
      <label for="page-size" class="muted">
        Per page
      </label>
      <select id="page-size" value={String(size)} onChange={(e) => onSize(Number(e.currentTarget.value))}>
        {SIZES.map((s) => (
          <option key={s} value={String(s)}>
            {s}
          </option>
        ))}
      </select>
      <button type="button" class="small" disabled={page <= 1} onClick={() => onPage(1)} aria-label="First page">
        «
      </button>
      <button type="button" class="small" disabled={page <= 1} onClick={() => onPage(Math.min(page - 1, pages))}>
        Previous
      </button>
      <span aria-current="page">
        Page {page} of {pages}
      </span>
      <button type="button" class="small" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next
      </button>
      <button type="button" class="small" disabled={page >= pages} onClick={() => onPage(pages)} aria-label="Last page">
        »
      </button>
    </nav>
  );
}

function ConfirmDelete({
  target,
  busy,
  error,
  onConfirm,
  onClose,
}: {
  target: string;
  busy: boolean;
  error: string | null;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const keep = useRef<HTMLButtonElement>(null);
  const opener = useRef<Element | null>(document.activeElement);
  useEffect(() => {
    keep.current?.focus();
    return () => (opener.current as HTMLElement | null)?.focus?.();
  }, []);
  return (
    <div class="overlay" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div
        class="dialog scan-confirm"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="delete-title"
        aria-describedby="delete-text"
        onKeyDown={(e) => {
          if (e.key === 'Escape') onClose();
          if (e.key === 'Tab') {
            const buttons = Array.from((e.currentTarget as HTMLElement).querySelectorAll<HTMLElement>('button:not(:disabled)'));
            const at = buttons.indexOf(document.activeElement as HTMLElement);
            e.preventDefault();
            buttons[(at + (e.shiftKey ? -1 : 1) + buttons.length) % buttons.length]?.focus();
          }
        }}
      >
        <h2 id="delete-title">Delete this scan?</h2>
        <p id="delete-text">
          The scan of <code>{target}</code> and its findings are removed. Triage verdicts and comments stay: they belong to the findings'
          fingerprints and come back with the next scan of the target.
        </p>
        <ErrorNote error={error} />
        <div class="row dialog-actions">
          <button type="button" class="danger" onClick={onConfirm} disabled={busy}>
            {busy ? 'Deleting…' : 'Delete scan'}
          </button>
          <button type="button" ref={keep} onClick={onClose}>
            Keep it
          </button>
        </div>
      </div>
    </div>
  );
}

/** Search title, file and rule on the server; the URL changes once typing pauses. */
function SearchBox({ value, onSearch }: { value: string; onSearch: (text: string) => void }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text.trim() === value) return;
    const timer = setTimeout(() => onSearch(text.trim()), 300);
    return () => clearTimeout(timer);
  }, [text]);
  return (
    <input
      type="search"
      class="filter-search"
      aria-label="Search findings by title, file or rule"
      placeholder="Search title, file, rule…"
      value={text}
      onInput={(e) => setText(e.currentTarget.value)}
    />
  );
}
