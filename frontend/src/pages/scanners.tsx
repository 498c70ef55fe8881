// The scanner directory: every scanner the server knows, by category, whether it can run here,
// and (for admins) installing the tools the registry declares an install command for. `?q=`
// filters, so the command palette can link to one scanner.
import { useState } from 'preact/hooks';
import { ApiError, get, post, type Schemas } from '../api/client';
import { Empty, ErrorNote, Loading, PageHeader, Time } from '../components/ui';
import { useAsync, useTitle } from '../hooks';
import { setQuery, useLocation } from '../router';
import { useSession } from '../session';

type Scanner = Schemas['ScannerStatus'];
type Result = Schemas['InstallResult'];

const CATEGORIES: { type: string; label: string }[] = [
  { type: 'code', label: 'Code analysis' },
  { type: 'dependency', label: 'Dependencies' },
  { type: 'iac', label: 'Containers / IaC' },
  { type: 'network', label: 'Network' },
  { type: 'dast', label: 'Web (DAST)' },
  { type: 'baseline', label: 'Baseline' },
];

export function category(scanType: string): string {
  return CATEGORIES.find((c) => c.type === scanType)?.label ?? scanType;
}

/** One install's progress and outcome, as the page shows it. */
type Install =
  | { state: 'queued' }
  | { state: 'running' }
  | { state: 'done'; result: Result }
  /** The server refused before running anything (built in, or no install command): its detail. */
  | { state: 'refused'; detail: string }
  | { state: 'error'; detail: string };

export function Scanners(_: { params: Record<string, string> }) {
  useTitle('Scanners');
  const session = useSession();
  const admin = session.can('admin');
  const { query } = useLocation();
  const q = query.get('q') ?? '';
  const status = useAsync((signal) => get<Schemas['StatusReport']>('dashboard/status', undefined, signal), []);
  const [installs, setInstalls] = useState<Record<string, Install>>({});
  const [bulk, setBulk] = useState<string[] | null>(null);
  const running = Object.values(installs).some((i) => i.state === 'running' || i.state === 'queued');

  const install = async (scanner: Scanner): Promise<void> => {
    setInstalls((all) => ({ ...all, [scanner.name]: { state: 'running' } }));
    let outcome: Install;
    try {
      outcome = { state: 'done', result: await post<Result>(`dashboard/install/${encodeURIComponent(scanner.name)}`) };
    } catch (err) {
      outcome =
        err instanceof ApiError && err.status === 400
          ? { state: 'refused', detail: err.message }
          : { state: 'error', detail: err instanceof Error ? err.message : String(err) };
    }
    setInstalls((all) => ({ ...all, [scanner.name]: outcome }));
  };

  // The status report does not say which tools have an install command, so the server decides:
  // each missing tool is tried once (scanners sharing a tool share its install), one at a time
  // since installers (pip) must not run concurrently, and a refusal is listed, not an error.
  const installAll = async (targets: Scanner[]) => {
    const seen = new Set<string>();
    const queue = targets.filter((s) => {
      const tool = s.tool ?? s.name;
      if (seen.has(tool)) return false;
      seen.add(tool);
      return true;
    });
    setBulk(queue.map((s) => s.name));
    const queued = Object.fromEntries(queue.map((s) => [s.name, { state: 'queued' } as Install]));
    setInstalls((all) => ({ ...all, ...queued }));
    for (const scanner of queue) await install(scanner);
    status.reload();
  };

  const scanners = status.data?.scanners ?? [];
  const needle = q.trim().toLowerCase();
  const shown = needle
    ? scanners.filter((s) =>
        [s.name, s.description, s.tool ?? '', category(s.scan_type), s.available ? 'available' : 'not installed']
          .join(' ')
          .toLowerCase()
          .includes(needle),
      )
    : scanners;
  const available = scanners.filter((s) => s.available).length;
  const missing = scanners.filter((s) => !s.available && s.tool);
  const known = new Set(CATEGORIES.map((c) => c.type));
  const groups = [
    ...CATEGORIES,
    ...[...new Set(scanners.map((s) => s.scan_type).filter((t) => !known.has(t)))].map((t) => ({ type: t, label: t })),
  ];

  return (
    <section>
      <PageHeader
        title="Scanners"
        meta={
          status.data && (
            <>
              {available} of {scanners.length} available · checked <Time iso={status.data.checked_at} />
            </>
          )
        }
      >
        <button type="button" onClick={status.reload} disabled={status.loading}>
          {status.loading && status.data ? 'Checking…' : 'Check again'}
        </button>
        {admin && (
          <button
            type="button"
            class="primary"
            disabled={running || missing.length === 0}
            onClick={() => installAll(missing)}
            title="Runs each missing tool's install command on the server, one after another"
          >
            Install all available
          </button>
        )}
      </PageHeader>
      <div class="scanners-bar">
        <ul class="legend" aria-label="Legend">
          <li>
            <span class="avail avail-yes">
              <span class="dot" aria-hidden="true" /> available
            </span>
            <span class="muted"> — can run on this server</span>
          </li>
          <li>
            <span class="avail avail-no">
              <span class="dot" aria-hidden="true" /> not installed
            </span>
            <span class="muted"> — skipped by scans, with its install hint</span>
          </li>
        </ul>
        <div class="search">
          <label for="scanner-search">Search scanners</label>
          <input
            id="scanner-search"
            type="search"
            placeholder="name, category, tool…"
            value={q}
            onInput={(e) => setQuery({ q: (e.currentTarget as HTMLInputElement).value })}
          />
        </div>
      </div>
      {bulk && (
        <section class="card install-log" aria-labelledby="install-log-title">
          <div class="row">
            <h2 id="install-log-title">Install all</h2>
            {!running && (
              <button type="button" class="ghost small" onClick={() => setBulk(null)}>
                Close
              </button>
            )}
          </div>
          <ol aria-live="polite">
            {bulk.map((name) => (
              <li key={name}>
                <strong>{name}</strong>: <InstallLine install={installs[name]} />
              </li>
            ))}
          </ol>
        </section>
      )}
      <ErrorNote error={status.error} onRetry={status.reload} />
      {status.loading && !status.data && <Loading label="Checking each scanner's tool on the server…" />}
      {status.data && shown.length === 0 && <Empty>No scanner matches “{q}”.</Empty>}
      {groups.map((group) => {
        const members = shown.filter((s) => s.scan_type === group.type);
        if (members.length === 0) return null;
        return (
          <section key={group.type} aria-labelledby={`cat-${group.type}`}>
            <h2 id={`cat-${group.type}`}>
              {group.label} <span class="muted count">{members.length}</span>
            </h2>
            <ul class="grid scanner-grid">
              {members.map((s) => (
                <ScannerCard
                  key={s.name}
                  scanner={s}
                  admin={admin}
                  install={installs[s.name]}
                  busy={running}
                  onInstall={() => install(s).then(status.reload)}
                />
              ))}
            </ul>
          </section>
        );
      })}
    </section>
  );
}

function InstallLine({ install }: { install: Install | undefined }) {
  if (!install || install.state === 'queued') return <span class="muted">waiting</span>;
  if (install.state === 'running') return <span role="status">installing… (the installer can take minutes)</span>;
  if (install.state === 'refused') return <span>not installable from here: {install.detail}</span>;
  if (install.state === 'error') return <span class="install-failed">failed: {install.detail}</span>;
  return install.result.success ? (
    <span class="install-ok">{install.result.message}</span>
  ) : (
    <span class="install-failed">{install.result.message}</span>
  );
}

function ScannerCard({
  scanner: s,
  admin,
  install,
  busy,
  onInstall,
}: {
  scanner: Scanner;
  admin: boolean;
  install: Install | undefined;
  busy: boolean;
  onInstall: () => void;
}) {
  const id = `scanner-${s.name}`;
  return (
    <li class="card scanner-card" data-scanner={s.name}>
      <div class="scanner-head">
        <h3 id={id}>{s.name}</h3>
        <span class={`avail ${s.available ? 'avail-yes' : 'avail-no'}`}>
          <span class="dot" aria-hidden="true" /> {s.available ? 'available' : 'not installed'}
        </span>
      </div>
      <p class="muted scanner-cat">{category(s.scan_type)}</p>
      {s.description && <p class="scanner-desc">{s.description}</p>}
      {s.tool && (
        <p class="scanner-tool">
          Tool <code>{s.tool}</code>
          {s.tool_version && (
            <>
              {' '}
              <code>{s.tool_version}</code>
            </>
          )}
          {s.required && <span class="muted"> (supports {s.required})</span>}
        </p>
      )}
      {!s.tool && <p class="scanner-tool muted">Built in: nothing to install.</p>}
      {s.adapter !== 'ok' && <p class="note warn">Adapter: {s.adapter}</p>}
      {!s.available && s.install_hint && (
        <p class="scanner-hint">
          <span class="muted">Install: </span>
          <code>{s.install_hint}</code>
        </p>
      )}
      {!s.available && <p class="muted scanner-why">{s.message}</p>}
      {admin && !s.available && s.tool && (
        <div class="scanner-install">
          <button type="button" class="small" disabled={busy} onClick={onInstall} aria-label={`Install ${s.name}`}>
            {install?.state === 'running' ? 'Installing…' : 'Install'}
          </button>
          <InstallOutcome install={install} />
        </div>
      )}
      {install?.state === 'done' && install.result.success && s.available && (
        <p class="install-ok">{install.result.message}</p>
      )}
    </li>
  );
}

function InstallOutcome({ install }: { install: Install | undefined }) {
  if (!install || install.state === 'queued') return null;
  if (install.state === 'running')
    return (
      <p role="status" class="muted">
        Running the install command on the server; pip can take a few minutes.
      </p>
    );
  if (install.state === 'refused' || install.state === 'error') return <ErrorNote error={install.detail} />;
  return (
    <div role="status">
      {install.result.success ? (
        <p class="install-ok">{install.result.message}</p>
      ) : (
        <ErrorNote error={install.result.message} />
      )}
      {install.result.output && (
        <details>
          <summary>Installer output</summary>
          <pre>{install.result.output}</pre>
        </details>
      )}
    </div>
  );
}
