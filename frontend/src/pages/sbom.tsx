// The software bill of materials of a scanned target, read by the server from the target's
// manifests and lockfiles as they are now (not as they were when the scan ran).
import { useState } from 'preact/hooks';
import { get, page, type Scan, url } from '../api/client';
import { scanLabel } from '../components/findings-compare-view';
import { Empty, ErrorNote, Link, Loading, PageHeader, shortId } from '../components/ui';
import { useAsync, useTitle } from '../hooks';
import { setQuery, useLocation } from '../router';

type Format = 'cyclonedx' | 'spdx';

interface Component {
  name: string;
  version: string;
  ecosystem: string;
  licenses: string[];
  purl: string;
}

type Json = Record<string, unknown>;
const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const list = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);

/** `pkg:npm/%40scope/name@1` → `npm`. */
function ecosystem(purl: string): string {
  const found = /^pkg:([^/]+)\//.exec(purl);
  return found ? found[1] : 'unknown';
}

/** CycloneDX 1.5 `components[]` or SPDX 2.3 `packages[]` (without the document's own package). */
function components(document: Json, format: Format): Component[] {
  if (format === 'cyclonedx') {
    return list(document.components).map((c) => {
      const purl = text(c.purl);
      const licenses = list(c.licenses).map((l) => {
        const license = (l.license ?? {}) as Json;
        return text(l.expression) || text(license.id) || text(license.name);
      });
      return { name: text(c.name), version: text(c.version), ecosystem: ecosystem(purl), licenses: licenses.filter(Boolean), purl };
    });
  }
  return list(document.packages)
    .map((p) => {
      const purl = text(list(p.externalRefs).find((r) => r.referenceType === 'purl')?.referenceLocator);
      const declared = text(p.licenseDeclared);
      return {
        name: text(p.name),
        version: text(p.versionInfo),
        ecosystem: ecosystem(purl),
        licenses: declared && declared !== 'NOASSERTION' ? [declared] : [],
        purl,
      };
    })
    .filter((c) => c.purl);
}

export function Sbom(_: { params: Record<string, string> }) {
  useTitle('SBOM');
  const { query } = useLocation();
  const format: Format = query.get('format') === 'spdx' ? 'spdx' : 'cyclonedx';
  const scans = useAsync((signal) => page<Scan>('scans', { limit: 200 }, signal), []);
  const completed = (scans.data?.items ?? []).filter((s) => s.status === 'completed');
  const scan = query.get('scan') ?? completed[0]?.id ?? '';
  const [filter, setFilter] = useState('');
  const document = useAsync(
    (signal) => (scan ? get<Json>(`scans/${scan}/sbom`, { format }, signal) : Promise.resolve(null)),
    [scan, format],
  );
  const all = document.data ? components(document.data, format) : [];
  const needle = filter.trim().toLowerCase();
  const shown = needle
    ? all.filter((c) => [c.name, c.version, c.ecosystem, ...c.licenses].some((v) => v.toLowerCase().includes(needle)))
    : all;
  const counts = new Map<string, number>();
  for (const c of all) counts.set(c.ecosystem, (counts.get(c.ecosystem) ?? 0) + 1);
  return (
    <section>
      <PageHeader title="SBOM" meta="Software bill of materials of a scanned target, from its manifests and lockfiles as they are now." />
      <ErrorNote error={scans.error} onRetry={scans.reload} />
      {!scans.data && !scans.error && <Loading />}
      {scans.data && completed.length === 0 && (
        <Empty>
          No completed scans yet. <Link href="/scan">Start a scan</Link> of a project to see its components.
        </Empty>
      )}
      {completed.length > 0 && (
        <div class="card sbom-controls">
          <div class="field">
            <label for="sbom-scan">Scan</label>
            <select id="sbom-scan" value={scan} onChange={(e) => setQuery({ scan: e.currentTarget.value })}>
              {!completed.some((s) => s.id === scan) && <option value={scan}>{scan}</option>}
              {completed.map((s) => (
                <option key={s.id} value={s.id}>
                  {scanLabel(s)}
                </option>
              ))}
            </select>
          </div>
          <div class="row" role="group" aria-label="Format">
            {(['cyclonedx', 'spdx'] as const).map((f) => (
              <button type="button" key={f} class="toggle" aria-pressed={format === f} onClick={() => setQuery({ format: f === 'cyclonedx' ? null : f })}>
                {f === 'cyclonedx' ? 'CycloneDX' : 'SPDX'}
              </button>
            ))}
            {scan && (
              <a class="sbom-download" href={url(`scans/${scan}/sbom`, { format })} download={`sbom-${shortId(scan)}.${format}.json`}>
                Download {format === 'cyclonedx' ? 'CycloneDX' : 'SPDX'} JSON
              </a>
            )}
          </div>
        </div>
      )}
      {scan && <ErrorNote error={document.error} onRetry={document.reload} />}
      {scan && document.loading && !document.data && <Loading label="Reading the target's manifests…" />}
      {document.data && (
        <>
          <ul class="statline sbom-ecosystems" aria-label="Components per ecosystem">
            <li>
              <span class="value">{all.length}</span>
              <span class="name">components</span>
            </li>
            {[...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([name, count]) => (
              <li key={name}>
                <span class="value">{count}</span>
                <span class="name">{name}</span>
              </li>
            ))}
          </ul>
          {all.length === 0 ? (
            <Empty>
              No components: the target has no lockfile or manifest SecureScan reads (requirements*.txt, package-lock.json, Cargo.lock, go.sum,
              …).
            </Empty>
          ) : (
            <>
              <div class="field sbom-filter">
                <label for="sbom-filter">Filter components</label>
                <input id="sbom-filter" type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} placeholder="name, version, ecosystem or license" />
              </div>
              <p class="muted" role="status">
                {shown.length === all.length ? `${all.length} components` : `${shown.length} of ${all.length} components`}
              </p>
              <div class="table-wrap" tabIndex={0} role="region" aria-label="Components">
                <table>
                  <caption class="sr-only">Components ({format === 'cyclonedx' ? 'CycloneDX' : 'SPDX'})</caption>
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Version</th>
                      <th scope="col">Ecosystem</th>
                      <th scope="col">Licenses</th>
                    </tr>
                  </thead>
                  <tbody>
                    {shown.map((c) => (
                      <tr key={c.purl || `${c.name}@${c.version}`}>
                        <td class="mono" title={c.purl}>
                          {c.name}
                        </td>
                        <td class="mono">{c.version || <span class="muted">unpinned</span>}</td>
                        <td>{c.ecosystem}</td>
                        <td>{c.licenses.length ? c.licenses.join(', ') : <span class="muted">unknown</span>}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </>
      )}
    </section>
  );
}
