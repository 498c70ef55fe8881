// What changed between two scans, shared by Diff (any two scans) and Compare (a target's newest
// scan against a baseline): one compare call, summary chips and New / Resolved / Unchanged tabs.
import { useRef } from 'preact/hooks';
import { type Finding, get, type Scan, type Schemas } from '../api/client';
import { useAsync } from '../hooks';
import { Empty, ErrorNote, Link, Loading, SeverityBadge, shortId } from './ui';

/** The compare lists hold findings as the scan stored them (no triage state). */
export type ChangedFinding = Omit<Finding, 'state'>;

export interface Compared {
  scan_a: Scan;
  scan_b: Scan;
  new_findings: ChangedFinding[];
  fixed_findings: ChangedFinding[];
  unchanged_findings: ChangedFinding[];
  summary: { new_count: number; fixed_count: number; unchanged_count: number; risk_delta: number };
}

export const COMPARE_TABS = ['new', 'resolved', 'unchanged'] as const;
export type CompareTab = (typeof COMPARE_TABS)[number];

export function compareTab(value: string | null): CompareTab {
  return (COMPARE_TABS as readonly string[]).includes(value ?? '') ? (value as CompareTab) : 'new';
}

/** `target · short id · date`: how a scan is named in every picker. */
export function scanLabel(scan: Scan): string {
  const when = (scan.completed_at ?? scan.created_at).slice(0, 16).replace('T', ' ');
  return `${scan.target_path} · ${shortId(scan.id)} · ${when}`;
}

export function fetchCompare(base: string, head: string, signal: AbortSignal): Promise<Compared> {
  // The generated type says `object[]` for the lists: the route serialises findings untyped.
  return get<Schemas['CompareResult']>('scans/compare', { scan_a: base, scan_b: head }, signal) as unknown as Promise<Compared>;
}

function signed(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return rounded > 0 ? `+${rounded}` : String(rounded);
}

export function FindingsCompare({
  base,
  head,
  tab,
  onTab,
}: {
  base: string;
  head: string;
  tab: CompareTab;
  onTab: (tab: CompareTab) => void;
}) {
  const result = useAsync((signal) => fetchCompare(base, head, signal), [base, head]);
  const tabs = useRef<Record<string, HTMLButtonElement | null>>({});
  if (result.error) return <ErrorNote error={result.error} onRetry={result.reload} />;
  const data = result.data;
  if (!data) return <Loading label="Comparing the two scans…" />;
  const lists: Record<CompareTab, ChangedFinding[]> = {
    new: data.new_findings,
    resolved: data.fixed_findings,
    unchanged: data.unchanged_findings,
  };
  const names: Record<CompareTab, string> = { new: 'New', resolved: 'Resolved', unchanged: 'Unchanged' };
  const onKey = (event: KeyboardEvent) => {
    const at = COMPARE_TABS.indexOf(tab);
    const to =
      event.key === 'ArrowRight'
        ? COMPARE_TABS[(at + 1) % COMPARE_TABS.length]
        : event.key === 'ArrowLeft'
          ? COMPARE_TABS[(at + COMPARE_TABS.length - 1) % COMPARE_TABS.length]
          : event.key === 'Home'
            ? COMPARE_TABS[0]
            : event.key === 'End'
              ? COMPARE_TABS[COMPARE_TABS.length - 1]
              : null;
    if (!to) return;
    event.preventDefault();
    onTab(to);
    tabs.current[to]?.focus();
  };
  const delta = data.summary.risk_delta;
  return (
    <section class="compare-result" aria-label="Comparison">
      <ul class="compare-chips" aria-label="Summary">
        <li class="chip compare-new">
          <span aria-hidden="true">▲</span> <strong data-count="new">{data.summary.new_count}</strong> new
        </li>
        <li class="chip compare-fixed">
          <span aria-hidden="true">▼</span> <strong data-count="resolved">{data.summary.fixed_count}</strong> resolved
        </li>
        <li class="chip">
          <span aria-hidden="true">=</span> <strong data-count="unchanged">{data.summary.unchanged_count}</strong> unchanged
        </li>
        <li class="chip" title="Head risk score minus base risk score">
          Risk Δ <strong data-count="risk">{signed(delta)}</strong>
        </li>
      </ul>
      <p class="muted compare-between">
        From <Link href={`/scan/${data.scan_a.id}`}>{scanLabel(data.scan_a)}</Link> to{' '}
        <Link href={`/scan/${data.scan_b.id}`}>{scanLabel(data.scan_b)}</Link>
      </p>
      <div class="tabs" role="tablist" aria-label="Changes" onKeyDown={onKey}>
        {COMPARE_TABS.map((t) => (
          <button
            type="button"
            role="tab"
            key={t}
            id={`compare-tab-${t}`}
            aria-controls={`compare-panel-${t}`}
            aria-selected={t === tab}
            tabIndex={t === tab ? 0 : -1}
            ref={(el) => {
              tabs.current[t] = el;
            }}
            onClick={() => onTab(t)}
          >
            {names[t]} ({lists[t].length})
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`compare-panel-${tab}`} aria-labelledby={`compare-tab-${tab}`} tabIndex={0}>
        <ChangedTable findings={lists[tab]} kind={tab} />
      </div>
    </section>
  );
}

const EMPTY: Record<CompareTab, string> = {
  new: 'No new findings: the head scan introduced nothing the base did not have.',
  resolved: 'Nothing resolved: every base finding is still present in the head scan.',
  unchanged: 'No findings are common to both scans.',
};

function ChangedTable({ findings, kind }: { findings: ChangedFinding[]; kind: CompareTab }) {
  if (findings.length === 0) return <Empty>{EMPTY[kind]}</Empty>;
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={`${findings.length} ${kind} findings`}>
      <table>
        <thead>
          <tr>
            <th scope="col">Severity</th>
            <th scope="col">Title</th>
            <th scope="col">Location</th>
            <th scope="col">Scanner</th>
          </tr>
        </thead>
        <tbody>
          {findings.map((f) => (
            <tr key={f.fingerprint} class={`sev-edge-${f.severity}`}>
              <td>
                <SeverityBadge severity={f.severity} />
              </td>
              <td>{f.title}</td>
              <td class="mono">{f.file_path ? `${f.file_path}${f.line_start ? `:${f.line_start}` : ''}` : '—'}</td>
              <td>{f.scanner}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
