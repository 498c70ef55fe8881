// One finding in the Scan detail table and, when expanded, everything known about it: the
// scanner's words, where it matched, the triage verdict (stored per fingerprint, so it follows
// the finding into every later scan of the target) and the comment thread, loaded only when the
// row is first opened.
import { useState } from 'preact/hooks';
import { del, type Finding, get, message, patch, post, type Schemas, type TriageStatus } from '../api/client';
import { useAsync } from '../hooks';
import { ErrorNote, Loading, SeverityBadge, Time } from './ui';

export const TRIAGE: TriageStatus[] = ['new', 'triaged', 'false_positive', 'accepted_risk', 'fixed', 'wont_fix'];

type StateRecord = Schemas['StateRecord'];
type CommentRecord = Schemas['CommentRecord'];
type Meta = Record<string, unknown>;

/** The path relative to the scan's target when it lies inside it: shorter, and what people search for. */
export function shortPath(file: string | null | undefined, target: string): string {
  if (!file) return '';
  if (file === target) return '.';
  const root = target.endsWith('/') ? target : `${target}/`;
  return file.startsWith(root) ? file.slice(root.length) : file;
}

export function location(finding: Finding, target: string): string {
  const file = shortPath(finding.file_path, target);
  if (!file) return '';
  if (finding.line_start == null) return file;
  const end = finding.line_end != null && finding.line_end !== finding.line_start ? `-${finding.line_end}` : '';
  return `${file}:${finding.line_start}${end}`;
}

export function TriagePill({ status }: { status: string }) {
  return <span class={`triage triage-${status}`}>{status}</span>;
}

function str(meta: Meta, key: string): string | undefined {
  const value = meta[key];
  return typeof value === 'string' && value.trim() ? value : undefined;
}

export function suppressedBy(finding: Finding): string | undefined {
  return str((finding.metadata ?? {}) as Meta, 'suppressed_by');
}

export function FindingRow({
  finding,
  target,
  expanded,
  onToggle,
  onState,
  canWrite,
  callerId,
}: {
  finding: Finding;
  target: string;
  expanded: boolean;
  onToggle: () => void;
  onState: (state: StateRecord) => void;
  canWrite: boolean;
  callerId: string;
}) {
  const status = finding.state?.status ?? 'new';
  const suppressed = suppressedBy(finding);
  const detailsId = `finding-${finding.id}`;
  const where = location(finding, target);
  return (
    <>
      <tr class={`sev-edge-${finding.severity} finding${expanded ? ' open' : ''}${suppressed ? ' suppressed' : ''}`}>
        <td>
          <SeverityBadge severity={finding.severity} />
        </td>
        <td class="finding-title">
          <button type="button" class="expander" aria-expanded={expanded} aria-controls={detailsId} onClick={onToggle}>
            <span class="chevron" aria-hidden="true">
              {expanded ? '▾' : '▸'}
            </span>
            {suppressed && <span class="chip suppressed-chip">suppressed: {suppressed}</span>}
            <span class={status === 'fixed' ? 'fixed-title' : undefined}>{finding.headline || finding.title}</span>
            {finding.rule_id && <span class="muted rule-id"> {finding.rule_id}</span>}
          </button>
        </td>
        <td class="mono where" title={finding.file_path ?? undefined}>
          {where || <span class="muted">—</span>}
        </td>
        <td>{finding.scanner}</td>
        <td>
          <TriagePill status={status} />
        </td>
      </tr>
      {expanded && (
        <tr class="details-row">
          <td colSpan={5}>
            <div id={detailsId} class="finding-details">
              <FindingInfo finding={finding} where={where} />
              <div class="finding-side">
                <TriagePanel finding={finding} canWrite={canWrite} onState={onState} />
                <Comments fingerprint={finding.fingerprint} canWrite={canWrite} callerId={callerId} />
              </div>
            </div>
          </td>
        </tr>
      )}
    </>
  );
}

function FindingInfo({ finding, where }: { finding: Finding; where: string }) {
  const meta = (finding.metadata ?? {}) as Meta;
  const moreInfo = str(meta, 'more_info');
  const also = Array.isArray(meta.also_reported_by) ? (meta.also_reported_by as Meta[]) : [];
  const ai = str(meta, 'ai_explanation');
  const aiFix = str(meta, 'ai_remediation');
  const suppressed = str(meta, 'suppressed_by');
  return (
    <div class="finding-info">
      {finding.description && <p class="description">{finding.description}</p>}
      <dl class="facts">
        {finding.rule_id && (
          <>
            <dt>Rule</dt>
            <dd class="mono">{finding.rule_id}</dd>
          </>
        )}
        {finding.cwe && (
          <>
            <dt>CWE</dt>
            <dd>{finding.cwe}</dd>
          </>
        )}
        {where && (
          <>
            <dt>Location</dt>
            <dd class="mono">{where}</dd>
          </>
        )}
        {str(meta, 'confidence') && (
          <>
            <dt>Confidence</dt>
            <dd>{str(meta, 'confidence')!.toLowerCase()}</dd>
          </>
        )}
        {str(meta, 'original_severity') && (
          <>
            <dt>Original severity</dt>
            <dd>{str(meta, 'original_severity')}</dd>
          </>
        )}
        {suppressed && (
          <>
            <dt>Suppressed</dt>
            <dd>
              by {suppressed}
              {str(meta, 'suppression_reason') ? ` (${str(meta, 'suppression_reason')})` : ''}
            </dd>
          </>
        )}
        {finding.compliance_tags.length > 0 && (
          <>
            <dt>Compliance</dt>
            <dd class="chips">
              {finding.compliance_tags.map((tag) => (
                <span class="chip" key={tag}>
                  {tag}
                </span>
              ))}
            </dd>
          </>
        )}
        {also.length > 0 && (
          <>
            <dt>Also reported by</dt>
            <dd>
              {also
                .map((a) => [a.scanner, a.rule_id].filter((v) => typeof v === 'string').join(' '))
                .filter(Boolean)
                .join(', ')}
            </dd>
          </>
        )}
        {moreInfo && /^https?:\/\//.test(moreInfo) && (
          <>
            <dt>Reference</dt>
            <dd>
              <a href={moreInfo} target="_blank" rel="noopener noreferrer">
                {moreInfo}
              </a>
            </dd>
          </>
        )}
        <dt>Fingerprint</dt>
        <dd class="mono fingerprint" title={finding.fingerprint}>
          {finding.fingerprint.slice(0, 16)}…
        </dd>
      </dl>
      {finding.file_path && finding.line_start && <SourcePreview finding={finding} />}
      {finding.remediation && (
        <>
          <h4>Remediation</h4>
          <p>{finding.remediation}</p>
        </>
      )}
      {(ai || aiFix) && (
        <>
          <h4>AI explanation</h4>
          {ai && <p>{ai}</p>}
          {aiFix && <p>{aiFix}</p>}
        </>
      )}
      <details class="raw-meta">
        <summary>Scanner metadata</summary>
        <pre>{JSON.stringify(meta, null, 2)}</pre>
      </details>
    </div>
  );
}

function TriagePanel({ finding, canWrite, onState }: { finding: Finding; canWrite: boolean; onState: (s: StateRecord) => void }) {
  const state = finding.state ?? null;
  const [status, setStatus] = useState<TriageStatus>(state?.status ?? 'new');
  const [note, setNote] = useState(state?.note ?? '');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const id = `triage-${finding.id}`;
  const changed = status !== (state?.status ?? 'new') || note !== (state?.note ?? '');

  const save = async (event: Event) => {
    event.preventDefault();
    setSaving(true);
    setError(null);
    setSaved(false);
    try {
      const body: Schemas['StateUpdate'] = { status, note: note.trim() ? note : null };
      const record = await patch<StateRecord>(`findings/${finding.fingerprint}/state`, body);
      onState(record);
      setSaved(true);
    } catch (err) {
      setError(message(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <section class="triage-panel" aria-labelledby={`${id}-title`}>
      <h4 id={`${id}-title`}>Triage</h4>
      {state ? (
        <p class="muted small-text who">
          <TriagePill status={state.status} /> set by {state.updated_by ?? 'unknown'} <Time iso={state.updated_at} />
        </p>
      ) : (
        <p class="muted small-text who">No verdict yet.</p>
      )}
      {canWrite ? (
        <form onSubmit={save}>
          <div class="field">
            <label for={`${id}-status`}>Verdict</label>
            <select id={`${id}-status`} value={status} onChange={(e) => setStatus(e.currentTarget.value as TriageStatus)}>
              {TRIAGE.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for={`${id}-note`}>Note</label>
            <textarea id={`${id}-note`} value={note} onInput={(e) => setNote(e.currentTarget.value)} placeholder="Why this verdict" />
          </div>
          <div class="row">
            <button type="submit" class="primary small" disabled={saving || !changed}>
              {saving ? 'Saving…' : 'Save verdict'}
            </button>
            <span role="status" class="muted small-text">
              {saved && !changed ? 'Saved: it applies to this finding in every scan of the target.' : ''}
            </span>
          </div>
          <ErrorNote error={error} />
        </form>
      ) : (
        state?.note && <p class="triage-note">{state.note}</p>
      )}
    </section>
  );
}

function Comments({ fingerprint, canWrite, callerId }: { fingerprint: string; canWrite: boolean; callerId: string }) {
  const list = useAsync((signal) => get<CommentRecord[]>(`findings/${fingerprint}/comments`, undefined, signal), [fingerprint]);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = `comments-${fingerprint.slice(0, 12)}`;

  const add = async (event: Event) => {
    event.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    setError(null);
    try {
      await post<CommentRecord>(`findings/${fingerprint}/comments`, { text: text.trim() } satisfies Schemas['CommentCreate']);
      setText('');
      list.reload();
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (comment: CommentRecord) => {
    setError(null);
    try {
      await del(`findings/${fingerprint}/comments/${comment.id}`);
      list.reload();
    } catch (err) {
      setError(message(err));
    }
  };

  const comments = list.data ?? [];
  return (
    <section class="comments" aria-labelledby={`${id}-title`}>
      <h4 id={`${id}-title`}>Comments{list.data ? ` (${comments.length})` : ''}</h4>
      <ErrorNote error={list.error} onRetry={list.reload} />
      {list.loading && !list.data && <Loading label="Loading comments…" />}
      {list.data && comments.length === 0 && <p class="muted small-text">No comments yet.</p>}
      {comments.length > 0 && (
        <ul class="comment-list">
          {comments.map((c) => (
            <li key={c.id}>
              <div class="comment-head small-text">
                <strong>{c.author ?? 'unknown'}</strong> <Time iso={c.created_at} />
                {canWrite && c.author_key === callerId && (
                  <button
                    type="button"
                    class="ghost small"
                    onClick={() => remove(c)}
                    aria-label={`Delete comment from ${commentLabel(c)}`}
                  >
                    Delete
                  </button>
                )}
              </div>
              <p class="comment-text">{c.text}</p>
            </li>
          ))}
        </ul>
      )}
      {canWrite && (
        <form onSubmit={add}>
          <div class="field">
            <label for={`${id}-new`}>Add a comment</label>
            <textarea id={`${id}-new`} value={text} onInput={(e) => setText(e.currentTarget.value)} />
          </div>
          <button type="submit" class="small" disabled={busy || !text.trim()}>
            {busy ? 'Posting…' : 'Comment'}
          </button>
        </form>
      )}
      <ErrorNote error={error} />
    </section>
  );
}

function commentLabel(c: CommentRecord): string {
  return `${c.author ?? 'unknown'} at ${c.created_at}`;
}

/** The finding's lines and five around them, read by the server from the file as it is now. */
function SourcePreview({ finding }: { finding: Finding }) {
  const source = useAsync(
    (signal) =>
      get<Schemas['SourceLines']>(`scans/${finding.scan_id}/findings/${finding.fingerprint}/source`, undefined, signal),
    [finding.scan_id, finding.fingerprint],
  );
  return (
    <>
      <h4>Matched lines</h4>
      {source.loading && !source.data && <Loading label="Reading the file…" />}
      {source.error && <p class="muted">The source is not available: {source.error}</p>}
      {source.data && (
        <pre class="matched" aria-label={`Lines of ${source.data.file_path}`}>
          {source.data.lines.map((line) => (
            <span key={line.number} class={line.flagged ? 'line flagged' : 'line'}>
              <span class="number" aria-hidden="true">
                {line.flagged ? '▶' : ' '} {String(line.number).padStart(4)}
              </span>{' '}
              {line.hidden ? <em>(hidden: this line holds a credential)</em> : line.text}
              {'\n'}
            </span>
          ))}
        </pre>
      )}
    </>
  );
}
