// New scan: pick a target and scan types, see exactly which scanners will run (and which are
// skipped, with how to install them) before starting. Availability comes from the server's
// live check, so the form never offers a category this host cannot scan.
import { useMemo, useState } from 'preact/hooks';
import { get, message, page, post, type Scan, type Schemas } from '../api/client';
import { DirectoryPicker } from '../components/scan-picker';
import { ErrorNote, Loading, PageHeader } from '../components/ui';
import { useAsync, useTitle } from '../hooks';
import { navigate, useLocation } from '../router';
import { useSession } from '../session';

type ScanType = Schemas['ApiScanType'];
type ScannerStatus = Schemas['ScannerStatus'];

const TYPES: { type: ScanType; label: string; needs?: 'url' | 'host' }[] = [
  { type: 'code', label: 'Code' },
  { type: 'dependency', label: 'Dependency' },
  { type: 'iac', label: 'IaC' },
  { type: 'baseline', label: 'Baseline' },
  { type: 'dast', label: 'DAST', needs: 'url' },
  { type: 'network', label: 'Network', needs: 'host' },
];

/** Types a plain directory scan can use: DAST and network also need a URL or a host. */
const PATH_ONLY: ScanType[] = ['code', 'dependency', 'iac', 'baseline'];

// The status report lists `securescan ingest` adapters (SARIF import) beside real scanners.
function runsInScans(scanner: ScannerStatus): boolean {
  return !scanner.ingest_only;
}

function runnable(scanners: ScannerStatus[]): number {
  return scanners.filter((s) => s.available && runsInScans(s)).length;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function NewScan(_: { params: Record<string, string> }) {
  useTitle('New scan');
  const session = useSession();
  const { query } = useLocation();
  const canWrite = session.can('write');
  const status = useAsync((signal) => get<Schemas['StatusReport']>('dashboard/status', undefined, signal), []);
  const recent = useAsync((signal) => page<Scan>('scans', { limit: 100 }, signal), []);

  const [target, setTarget] = useState(query.get('target') ?? '');
  const [url, setUrl] = useState('');
  const [host, setHost] = useState('');
  const [chosen, setChosen] = useState<ScanType[] | null>(null);
  const [picking, setPicking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const byType = useMemo(() => {
    const map = new Map<ScanType, ScannerStatus[]>();
    for (const { type } of TYPES) map.set(type, []);
    for (const scanner of status.data?.scanners ?? []) {
      if (runsInScans(scanner)) map.get(scanner.scan_type as ScanType)?.push(scanner);
    }
    return map;
  }, [status.data]);
  const usable = (type: ScanType) => (byType.get(type) ?? []).some((s) => s.available);

  // The API's default (code and dependency), minus what this host cannot run.
  const selected: ScanType[] = chosen ?? (status.data ? (['code', 'dependency'] as ScanType[]).filter(usable) : []);
  const toggle = (type: ScanType, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(type);
    else next.delete(type);
    setChosen(TYPES.map((t) => t.type).filter((t) => next.has(t)));
  };

  const presets = (
    [
    { name: 'Code only', title: 'Static analysis of the code', types: ['code'] },
    { name: 'Dependencies only', title: 'Vulnerable and unlicensed dependencies', types: ['dependency'] },
    { name: 'Full', title: 'Every available category that needs only a path (DAST and network need a URL or host)', types: PATH_ONLY },
    ] satisfies { name: string; title: string; types: ScanType[] }[]
  ).map((p) => ({ ...p, types: (p.types as ScanType[]).filter(usable) }));
  const same = (a: ScanType[], b: ScanType[]) => a.length === b.length && a.every((t) => b.includes(t));

  const scanners = selected.flatMap((type) => byType.get(type) ?? []);
  const willRun = scanners.filter((s) => s.available);
  const skipped = scanners.filter((s) => !s.available);

  const targets = useMemo(() => {
    const seen = new Set<string>();
    for (const scan of recent.data?.items ?? []) seen.add(scan.target_path);
    return [...seen].slice(0, 8);
  }, [recent.data]);

  const needsUrl = selected.includes('dast');
  const needsHost = selected.includes('network');
  const problem = !target.trim()
    ? 'Choose a target path.'
    : selected.length === 0
      ? 'Tick at least one scan type.'
      : needsUrl && !url.trim()
        ? 'DAST needs a target URL.'
        : needsHost && !host.trim()
          ? 'Network scanning needs a target host.'
          : null;

  const start = async (event: Event) => {
    event.preventDefault();
    if (problem || busy) return;
    setBusy(true);
    setError(null);
    try {
      const scan = await post<Scan>('scans', {
        target_path: target.trim(),
        scan_types: selected,
        target_url: needsUrl ? url.trim() : null,
        target_host: needsHost ? host.trim() : null,
      } satisfies Schemas['ScanCreate']);
      navigate(`/scan/${scan.id}`);
    } catch (err) {
      setError(message(err));
      setBusy(false);
    }
  };

  return (
    <section class="new-scan">
      <PageHeader
        title="New scan"
        meta={status.data ? `${plural(runnable(status.data.scanners), 'scanner')} available on this server` : undefined}
      />
      {!canWrite && <p class="note warn">Your key is read-only: you can look around, but starting a scan needs the write scope.</p>}
      <ErrorNote error={status.error} onRetry={status.reload} />
      <form class="two-col" onSubmit={start} aria-describedby={problem ? 'scan-problem' : undefined}>
        <div>
          <div class="card">
            <div class="field">
              <label for="target-path">Target path</label>
              <div class="row nowrap">
                <input
                  id="target-path"
                  class="mono grow"
                  value={target}
                  onInput={(e) => setTarget(e.currentTarget.value)}
                  placeholder="/path/to/project"
                  autoComplete="off"
                  spellcheck={false}
                  required
                />
                <button type="button" onClick={() => setPicking(true)}>
                  Browse…
                </button>
              </div>
              <span class="muted small-text">A directory or file inside the server's allowed roots.</span>
            </div>
            {targets.length > 0 && (
              <div class="recent-targets">
                <h2 class="subhead" id="recent-title">
                  Recently scanned
                </h2>
                <ul aria-labelledby="recent-title">
                  {targets.map((t) => (
                    <li key={t}>
                      <button type="button" class="ghost mono" aria-pressed={t === target.trim()} onClick={() => setTarget(t)}>
                        {t}
                      </button>
                    </li>
                  ))}
                </ul>
              </div>
            )}
          </div>

          <fieldset class="card scan-types">
            <legend>Scan types</legend>
            {status.loading && !status.data && <Loading label="Loading scanner availability…" />}
            {status.data && (
              <>
                <div class="row presets" role="group" aria-label="Quick presets">
                  <span class="muted">Presets:</span>
                  {presets.map((p) => (
                    <button
                      type="button"
                      key={p.name}
                      class="toggle small"
                      title={p.title}
                      aria-pressed={p.types.length > 0 && same(selected, p.types)}
                      disabled={p.types.length === 0}
                      onClick={() => setChosen(p.types)}
                    >
                      {p.name}
                    </button>
                  ))}
                </div>
                <ul class="type-list">
                  {TYPES.map(({ type, label, needs }) => {
                    const list = byType.get(type) ?? [];
                    const available = list.filter((s) => s.available);
                    const missing = list.filter((s) => !s.available);
                    const disabled = available.length === 0;
                    const hintId = `type-${type}-hint`;
                    return (
                      <li key={type} class={disabled ? 'unavailable' : undefined}>
                        <label class="check">
                          <input
                            type="checkbox"
                            checked={selected.includes(type)}
                            disabled={disabled}
                            aria-describedby={hintId}
                            onChange={(e) => toggle(type, e.currentTarget.checked)}
                          />
                          {label}{' '}
                          <span class="muted">
                            ({disabled ? 'no scanner installed' : `${plural(available.length, 'scanner')}`}
                            {needs === 'url' ? ', URL required' : needs === 'host' ? ', host required' : ''})
                          </span>
                        </label>
                        <div id={hintId} class="type-hint small-text">
                          {list.length > 0 && <span class="muted">{list.map((s) => s.name).join(' · ')}</span>}
                          {list.length === 0 && <span class="muted">No scanner of this type is registered.</span>}
                          {missing.length > 0 && (
                            <ul class="hints">
                              {missing.map((s) => (
                                <li key={s.name}>
                                  <strong>{s.name}</strong>: {s.install_hint ?? s.message}
                                </li>
                              ))}
                            </ul>
                          )}
                        </div>
                      </li>
                    );
                  })}
                </ul>
              </>
            )}
          </fieldset>

          {(needsUrl || needsHost) && (
            <div class="card">
              {needsUrl && (
                <div class="field">
                  <label for="target-url">Target URL (DAST)</label>
                  <input
                    id="target-url"
                    type="url"
                    class="mono"
                    value={url}
                    onInput={(e) => setUrl(e.currentTarget.value)}
                    placeholder="https://staging.example.com"
                    required
                  />
                </div>
              )}
              {needsHost && (
                <div class="field">
                  <label for="target-host">Target host (network)</label>
                  <input
                    id="target-host"
                    class="mono"
                    value={host}
                    onInput={(e) => setHost(e.currentTarget.value)}
                    placeholder="scanme.example.com or 203.0.113.0/28"
                    required
                  />
                </div>
              )}
              <p class="muted small-text">
                The server refuses loopback, private and cloud-metadata addresses unless its operator allows them.
              </p>
            </div>
          )}
        </div>

        <aside class="card scan-preview" aria-labelledby="preview-title">
          <h2 id="preview-title">Preview</h2>
          <h3>Will run{willRun.length > 0 ? ` (${willRun.length})` : ''}:</h3>
          {willRun.length === 0 ? (
            <p class="muted">Nothing yet: tick a scan type.</p>
          ) : (
            <ul class="will-run">
              {willRun.map((s) => (
                <li key={s.name}>
                  <span aria-hidden="true">✓ </span>
                  {s.name}
                  {s.tool_version && <span class="muted"> {s.tool_version}</span>}
                </li>
              ))}
            </ul>
          )}
          {skipped.length > 0 && (
            <>
              <h3>Skipped ({skipped.length}):</h3>
              <ul class="skipped">
                {skipped.map((s) => (
                  <li key={s.name}>
                    <strong>{s.name}</strong>: {s.install_hint ?? s.message}
                  </li>
                ))}
              </ul>
            </>
          )}
          {target.trim() && (
            <p class="preview-target">
              <span class="muted">Target: </span>
              <code>{target.trim()}</code>
              {needsUrl && url.trim() && (
                <>
                  <br />
                  <span class="muted">URL: </span>
                  <code>{url.trim()}</code>
                </>
              )}
              {needsHost && host.trim() && (
                <>
                  <br />
                  <span class="muted">Host: </span>
                  <code>{host.trim()}</code>
                </>
              )}
            </p>
          )}
          <ErrorNote error={error} />
          {problem && (
            <p id="scan-problem" class="muted small-text">
              {problem}
            </p>
          )}
          {canWrite && (
            <button type="submit" class="primary wide" disabled={!!problem || busy}>
              {busy ? 'Starting…' : 'Start scan'}
            </button>
          )}
        </aside>
      </form>
      {picking && (
        <DirectoryPicker
          start={target}
          onClose={() => setPicking(false)}
          onChoose={(path) => {
            setTarget(path);
            setPicking(false);
          }}
        />
      )}
    </section>
  );
}
