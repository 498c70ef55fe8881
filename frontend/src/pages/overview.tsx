// The home page: running totals, the latest scan, recent scans, the 30-day trend and compliance
// coverage. Only the latest scan's summary is fetched (the original fetched one per scan).
import { get, page, type Scan, type Schemas, type Summary } from '../api/client';
import { TrendChart } from '../components/overview-trend';
import { Empty, ErrorNote, Link, Loading, PageHeader, ScannerChips, SEVERITIES, SeverityBadge, shortId, StatusBadge, Time } from '../components/ui';
import { useAsync, useInterval, useTitle } from '../hooks';
import { useSession } from '../session';

const TREND_DAYS = 30;

interface Coverage {
  framework: string;
  framework_id: string;
  version: string;
  total_controls: number;
  controls_violated: string[];
  violated_details: { id: string; name: string; findings: number }[];
  violated_percentage: number;
}

const active = (scan: Scan | undefined) => scan?.status === 'pending' || scan?.status === 'running';

export function Overview(_: { params: Record<string, string> }) {
  useTitle('Overview');
  const { can } = useSession();
  const stats = useAsync((signal) => get<Schemas['Stats']>('dashboard/stats', undefined, signal), []);
  const recent = useAsync((signal) => page<Scan>('scans', { limit: 10 }, signal), []);
  const scanners = useAsync((signal) => get<Schemas['StatusReport']>('dashboard/status', undefined, signal), []);
  const trends = useAsync((signal) => get<Schemas['Trends']>('dashboard/trends', { days: TREND_DAYS }, signal), []);
  const latest = recent.data?.items[0];
  // Coverage of a scan still running would be empty: use the newest finished one.
  const covered = recent.data?.items.find((s) => s.status === 'completed');
  const summary = useAsync(
    (signal) => (latest ? get<Summary>(`scans/${latest.id}/summary`, undefined, signal) : Promise.resolve(null)),
    [latest?.id, latest?.status],
  );
  const coverage = useAsync(
    (signal) =>
      covered ? get<{ coverage: Coverage[] }>('compliance/coverage', { scan_id: covered.id }, signal).then((r) => r.coverage) : Promise.resolve([]),
    [covered?.id],
  );
  useInterval(() => {
    if (active(latest)) {
      recent.reload();
      stats.reload();
    }
  }, 4000);

  const total = recent.data?.total;
  const available = scanners.data?.scanners.filter((s) => s.available).length;
  const meta = [
    total !== undefined ? `${total} scan${total === 1 ? '' : 's'}` : null,
    scanners.data ? `${available} of ${scanners.data.scanners.length} scanners available` : null,
  ]
    .filter(Boolean)
    .join(' · ');
  return (
    <section class="overview">
      <PageHeader title="Overview" meta={meta || undefined}>
        {can('write') && (
          <Link href="/scan" class="report-primary">
            New scan
          </Link>
        )}
      </PageHeader>
      <ErrorNote error={recent.error} onRetry={recent.reload} />
      <ErrorNote error={stats.error} onRetry={stats.reload} />
      {!recent.data && !recent.error && <Loading />}
      {recent.data && recent.data.total === 0 && (
        <div class="card overview-empty">
          <h2>No scans yet</h2>
          <p>Scan a project directory to see its findings, risk and compliance coverage here.</p>
          {can('write') ? (
            <Link href="/scan" class="report-primary">
              Start your first scan
            </Link>
          ) : (
            <p class="muted">Your key can read but not start scans: ask an operator for a key with the write scope.</p>
          )}
        </div>
      )}
      {latest && (
        <>
          <ul class="statline" aria-label="Totals">
            <Stat name="total scans" value={stats.data?.total_scans} />
            <Stat name="total findings" value={stats.data?.total_findings} />
            <Stat name="average risk" value={stats.data?.average_risk_score} />
            <Stat name="completed" value={stats.data?.completed_scans} />
            <Stat name="critical (latest scan)" value={summary.data?.critical} />
            <Stat name="high (latest scan)" value={summary.data?.high} />
            <li>
              <span class="value">
                <Time iso={latest.completed_at ?? latest.started_at ?? latest.created_at} />
              </span>
              <span class="name">last scan</span>
            </li>
          </ul>
          <div class="two-col">
            <section class="card overview-latest" aria-labelledby="overview-latest">
              <h2 id="overview-latest">Latest scan</h2>
              <p class="row">
                <StatusBadge status={latest.status} />
                <Link href={`/scan/${latest.id}`} class="mono">
                  {latest.target_path}
                </Link>
                <span class="muted">· {shortId(latest.id)}</span>
              </p>
              <p>
                <ScannerChips names={latest.scanners_run.length ? latest.scanners_run : latest.scan_types} max={6} />
              </p>
              <ErrorNote error={summary.error} onRetry={summary.reload} />
              {summary.data && (
                <p class="row overview-severities" aria-label="Findings by severity">
                  {SEVERITIES.map((sev) => (
                    <SeverityBadge key={sev} severity={sev} count={summary.data![sev]} />
                  ))}
                  <span class="muted">· risk {summary.data.risk_score}</span>
                </p>
              )}
            </section>
            <section class="card" aria-labelledby="overview-trend">
              <h2 id="overview-trend">Last {TREND_DAYS} days</h2>
              <ErrorNote error={trends.error} onRetry={trends.reload} />
              {trends.data ? <TrendChart points={trends.data.data} period={TREND_DAYS} /> : !trends.error && <Loading />}
            </section>
          </div>
          <section aria-labelledby="overview-recent">
            <h2 id="overview-recent">Recent scans</h2>
            <div class="table-wrap" tabIndex={0} role="region" aria-label="Recent scans">
              <table class="overview-recent">
                <thead>
                  <tr>
                    <th scope="col">Target</th>
                    <th scope="col">Status</th>
                    <th scope="col" class="num">
                      Findings
                    </th>
                    <th scope="col">When</th>
                  </tr>
                </thead>
                <tbody>
                  {recent.data!.items.map((scan) => (
                    <tr key={scan.id}>
                      <td class="mono">
                        <Link href={`/scan/${scan.id}`}>{scan.target_path}</Link>
                        <span class="muted"> · {shortId(scan.id)}</span>
                      </td>
                      <td>
                        <StatusBadge status={scan.status} />
                      </td>
                      <td class="num">{scan.findings_count}</td>
                      <td>
                        <Time iso={scan.created_at} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <p>
              <Link href="/history">All scans</Link>
            </p>
          </section>
          <section aria-labelledby="overview-compliance">
            <h2 id="overview-compliance">Compliance coverage</h2>
            {covered && (
              <p class="muted">
                Controls touched by the findings of the latest completed scan, <Link href={`/scan/${covered.id}`}>{shortId(covered.id)}</Link>.
              </p>
            )}
            <ErrorNote error={coverage.error} onRetry={coverage.reload} />
            {!covered && <Empty>No completed scan yet.</Empty>}
            {coverage.data && coverage.data.length > 0 && (
              <div class="grid">
                {coverage.data.map((c) => (
                  <CoverageCard key={c.framework_id} coverage={c} />
                ))}
              </div>
            )}
          </section>
        </>
      )}
    </section>
  );
}

function Stat({ name, value }: { name: string; value: number | undefined }) {
  return (
    <li>
      <span class="value">{value ?? '—'}</span>
      <span class="name">{name}</span>
    </li>
  );
}

function CoverageCard({ coverage }: { coverage: Coverage }) {
  const violated = coverage.controls_violated.length;
  const top = [...coverage.violated_details].sort((a, b) => b.findings - a.findings).slice(0, 3);
  return (
    <article class="card overview-coverage">
      <h3>
        {coverage.framework} <span class="muted">{coverage.version}</span>
      </h3>
      <p>
        <strong>{violated}</strong> of {coverage.total_controls} controls violated ({coverage.violated_percentage}%)
      </p>
      <div class="overview-meter" aria-hidden="true">
        <span style={{ width: `${Math.min(100, coverage.violated_percentage)}%` }} />
      </div>
      {top.length > 0 ? (
        <ul class="overview-controls">
          {top.map((c) => (
            <li key={c.id}>
              <span class="mono">{c.id}</span> {c.name} <span class="muted">({c.findings})</span>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">No control violated.</p>
      )}
    </article>
  );
}
