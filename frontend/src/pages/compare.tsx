// "Where does this project stand against its baseline?": a target's newest completed scan is the
// current one, and an earlier completed scan of the same target is the baseline.
import { page, type Scan } from '../api/client';
import { compareTab, FindingsCompare, scanLabel } from '../components/findings-compare-view';
import { Empty, ErrorNote, Link, Loading, PageHeader } from '../components/ui';
import { useAsync, useTitle } from '../hooks';
import { setQuery, useLocation } from '../router';

const PICKABLE = 200;

export function Compare(_: { params: Record<string, string> }) {
  useTitle('Compare');
  const { query } = useLocation();
  const scans = useAsync((signal) => page<Scan>('scans', { limit: PICKABLE }, signal), []);
  // The API lists newest first, so each target's first completed scan is its current one.
  const completed = (scans.data?.items ?? []).filter((s) => s.status === 'completed');
  const targets = [...new Set(completed.map((s) => s.target_path))];
  const target = query.get('target') ?? targets[0] ?? '';
  const ofTarget = completed.filter((s) => s.target_path === target);
  const current = ofTarget[0];
  const earlier = ofTarget.slice(1);
  const baseline = query.get('baseline') ?? earlier[0]?.id ?? '';
  const tab = compareTab(query.get('tab'));
  return (
    <section>
      <PageHeader title="Compare" meta="A target's current scan against a saved baseline: what is new since, and what was fixed." />
      <ErrorNote error={scans.error} onRetry={scans.reload} />
      {!scans.data && !scans.error && <Loading />}
      {scans.data && targets.length === 0 && (
        <Empty>
          No completed scans yet. <Link href="/scan">Start a scan</Link> of a target twice to compare it with its baseline.
        </Empty>
      )}
      {targets.length > 0 && (
        <div class="card compare-pickers">
          <div class="row">
            <div class="field">
              <label for="compare-target">Target</label>
              <select id="compare-target" value={target} onChange={(e) => setQuery({ target: e.currentTarget.value, baseline: null })}>
                {!targets.includes(target) && <option value={target}>{target}</option>}
                {targets.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
            </div>
            {earlier.length > 0 && (
              <div class="field">
                <label for="compare-baseline">Baseline</label>
                <select id="compare-baseline" value={baseline} onChange={(e) => setQuery({ baseline: e.currentTarget.value })}>
                  {!earlier.some((s) => s.id === baseline) && <option value={baseline}>{baseline}</option>}
                  {earlier.map((s, i) => (
                    <option key={s.id} value={s.id}>
                      {scanLabel(s)}
                      {i === 0 ? ' (previous)' : ''}
                    </option>
                  ))}
                </select>
              </div>
            )}
          </div>
          {current && (
            <p class="muted">
              Current scan: <Link href={`/scan/${current.id}`}>{scanLabel(current)}</Link>
            </p>
          )}
        </div>
      )}
      {targets.length > 0 && !current && <Empty>No completed scan of this target.</Empty>}
      {current && earlier.length === 0 && (
        <Empty>
          This target has only one completed scan, so there is no baseline yet. Scan it again to see what changed.
        </Empty>
      )}
      {current && baseline && (
        <FindingsCompare base={baseline} head={current.id} tab={tab} onTab={(t) => setQuery({ tab: t })} />
      )}
    </section>
  );
}
