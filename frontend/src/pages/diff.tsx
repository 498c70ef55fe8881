// Any two scans side by side, PR-style: base and head come from the URL so a diff can be shared.
import { page, type Scan } from '../api/client';
import { compareTab, FindingsCompare, scanLabel } from '../components/findings-compare-view';
import { Empty, ErrorNote, Link, Loading, PageHeader } from '../components/ui';
import { useAsync, useTitle } from '../hooks';
import { setQuery, useLocation } from '../router';

/** How far back the pickers reach (the API's largest page). */
const PICKABLE = 200;

export function Diff(_: { params: Record<string, string> }) {
  useTitle('Diff');
  const { query } = useLocation();
  const scans = useAsync((signal) => page<Scan>('scans', { limit: PICKABLE }, signal), []);
  const list = scans.data?.items ?? [];
  const completed = list.filter((s) => s.status === 'completed');
  // Without a choice in the URL: the newest completed scan against the one before it.
  const head = query.get('head') ?? completed[0]?.id ?? '';
  const base = query.get('base') ?? completed[1]?.id ?? '';
  const tab = compareTab(query.get('tab'));
  return (
    <section>
      <PageHeader title="Diff" meta="What changed between two scans: new, resolved and unchanged findings by fingerprint." />
      <ErrorNote error={scans.error} onRetry={scans.reload} />
      {!scans.data && !scans.error && <Loading />}
      {scans.data && list.length === 0 && (
        <Empty>
          No scans yet. <Link href="/scan">Start a scan</Link>, then another, to compare them.
        </Empty>
      )}
      {list.length > 0 && (
        <div class="card row diff-pickers">
          <ScanSelect label="Base" value={base} scans={list} onChange={(id) => setQuery({ base: id })} />
          <span aria-hidden="true">↔</span>
          <ScanSelect label="Head" value={head} scans={list} onChange={(id) => setQuery({ head: id })} />
        </div>
      )}
      {base && head && base === head && <p class="note">Base and head are the same scan: everything is unchanged.</p>}
      {base && head && <FindingsCompare base={base} head={head} tab={tab} onTab={(t) => setQuery({ tab: t })} />}
      {scans.data && list.length > 0 && (!base || !head) && <Empty>Pick a base and a head scan to compare.</Empty>}
    </section>
  );
}

function ScanSelect({ label, value, scans, onChange }: { label: string; value: string; scans: Scan[]; onChange: (id: string) => void }) {
  const id = `diff-${label.toLowerCase()}`;
  const known = scans.some((s) => s.id === value);
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">Choose a scan…</option>
        {/* A scan from a shared link may be older than the picker's reach: keep it selectable. */}
        {value && !known && <option value={value}>{value}</option>}
        {scans.map((s) => (
          <option key={s.id} value={s.id}>
            {scanLabel(s)} ({s.status})
          </option>
        ))}
      </select>
    </div>
  );
}
