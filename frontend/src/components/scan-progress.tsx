// Live per-scanner progress over server-sent events. An EventSource cannot send X-API-Key, so each
// connection first mints a short-lived event token bound to this scan. Every event carries an
// id: a connection that dies (the token expires after 300 s, the server restarts) is reopened with
// the last id seen and the server resumes after it; anything at or below that id is ignored, so a
// replay never counts a scanner twice. If the stream cannot be reopened after a few tries, the
// page falls back to asking for the scan's status every 2 s.
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, post, type Scan, type Schemas, url } from '../api/client';
import { duration } from './ui';

export type RowState = 'queued' | 'running' | 'complete' | 'failed' | 'skipped';

export interface ProgressRow {
  name: string;
  state: RowState;
  duration?: number;
  findings?: number;
  detail?: string;
}

export type Phase = 'connecting' | 'live' | 'reconnecting' | 'polling' | 'ended';

export const TERMINAL_EVENTS = ['scan.complete', 'scan.failed', 'scan.cancelled'] as const;
const EVENTS = ['scan.start', 'scanner.start', 'scanner.complete', 'scanner.skipped', 'scanner.failed', ...TERMINAL_EVENTS];
const ENDED = new Set(['completed', 'failed', 'cancelled']);
const MAX_REOPENS = 3;
const POLL_MS = 2000;

export interface Progress {
  rows: ProgressRow[];
  phase: Phase;
  /** How the scan ended, as the stream (or the fallback poll) said. */
  outcome: string | null;
}

type Data = Record<string, unknown>;
const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
const text = (v: unknown) => (typeof v === 'string' ? v : undefined);

function applyEvent(rows: ProgressRow[], event: string, data: Data): ProgressRow[] {
  const name = text(data.name);
  const upsert = (change: Partial<ProgressRow>) => {
    if (!name) return rows;
    const found = rows.some((r) => r.name === name);
    if (found) return rows.map((r) => (r.name === name ? { ...r, ...change } : r));
    return [...rows, { name, state: 'queued' as RowState, ...change }];
  };
  switch (event) {
    case 'scan.start': {
      const names = Array.isArray(data.scanners) ? data.scanners.filter((n): n is string => typeof n === 'string') : [];
      const known = new Set(rows.map((r) => r.name));
      return [...rows, ...names.filter((n) => !known.has(n)).map((n) => ({ name: n, state: 'queued' as RowState }))];
    }
    case 'scanner.start':
      return upsert({ state: 'running' });
    case 'scanner.complete':
      return upsert({ state: 'complete', duration: num(data.duration_s), findings: num(data.findings_count) });
    case 'scanner.skipped':
      return upsert({
        state: 'skipped',
        detail: [text(data.reason), text(data.install_hint)].filter(Boolean).join(' · '),
      });
    case 'scanner.failed':
      return upsert({
        state: 'failed',
        duration: num(data.duration_s),
        detail: [text(data.kind), text(data.error)].filter(Boolean).join(': '),
      });
    default:
      return rows;
  }
}

/** Without the stream, how each scanner ended comes from the stored scan (without timings). */
function settle(rows: ProgressRow[], scan: Scan): ProgressRow[] {
  const ended = new Map<string, Partial<ProgressRow>>();
  for (const name of scan.scanners_run) ended.set(name, { state: 'complete' });
  for (const s of scan.scanners_skipped) {
    ended.set(s.name, { state: 'skipped', detail: [s.reason, s.install_hint].filter(Boolean).join(' · ') });
  }
  for (const f of scan.scanners_failed) ended.set(f.name, { state: 'failed', detail: `${f.kind}: ${f.error}` });
  const known = new Set(rows.map((r) => r.name));
  const open = (r: ProgressRow) => r.state === 'queued' || r.state === 'running';
  const updated = rows.map((r) => (ended.has(r.name) && open(r) ? { ...r, ...ended.get(r.name) } : r));
  const added = [...ended]
    .filter(([name]) => !known.has(name))
    .map(([name, change]) => ({ name, state: 'queued' as RowState, ...change }));
  return [...updated, ...added];
}

/** Follow a scan's events while `active`; `onEnd` runs once, when the scan has ended. */
export function useScanProgress(scanId: string, active: boolean, onEnd: (outcome: string) => void, onStart?: () => void): Progress {
  const [rows, setRows] = useState<ProgressRow[]>([]);
  const [phase, setPhase] = useState<Phase>('connecting');
  const [outcome, setOutcome] = useState<string | null>(null);
  const callbacks = useRef({ onEnd, onStart });
  callbacks.current = { onEnd, onStart };

  useEffect(() => {
    if (!active) return;
    let stopped = false;
    let source: EventSource | null = null;
    let lastId = 0;
    let reopens = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let poller: ReturnType<typeof setInterval> | undefined;

    const finish = (how: string) => {
      if (stopped) return;
      stopped = true;
      source?.close();
      clearTimeout(timer);
      clearInterval(poller);
      setPhase('ended');
      setOutcome(how);
      callbacks.current.onEnd(how);
    };

    const poll = () => {
      setPhase('polling');
      const check = () =>
        get<Scan>(`scans/${scanId}`).then(
          (scan) => {
            if (!ENDED.has(scan.status)) return;
            setRows((current) => settle(current, scan));
            finish(scan.status);
          },
          () => undefined,
        );
      check();
      poller = setInterval(check, POLL_MS);
    };

    const retry = () => {
      if (stopped) return;
      reopens += 1;
      if (reopens > MAX_REOPENS) {
        poll();
        return;
      }
      setPhase('reconnecting');
      timer = setTimeout(open, 1000 * 2 ** (reopens - 1));
    };

    const onMessage = (name: string) => (event: MessageEvent) => {
      const id = Number(event.lastEventId);
      if (Number.isFinite(id) && id > 0) {
        if (id <= lastId) return;
        lastId = id;
      }
      let data: Data = {};
      try {
        const parsed: unknown = JSON.parse(event.data);
        if (parsed && typeof parsed === 'object') data = parsed as Data;
      } catch {
        // A payload that is not JSON still moves the scanner along; it just has no details.
      }
      if (name === 'scan.start') callbacks.current.onStart?.();
      if ((TERMINAL_EVENTS as readonly string[]).includes(name)) {
        const status = text(data.status) ?? (name === 'scan.complete' ? 'completed' : name === 'scan.failed' ? 'failed' : 'cancelled');
        finish(status);
        return;
      }
      setRows((current) => applyEvent(current, name, data));
    };

    async function open() {
      if (stopped) return;
      let token: string;
      try {
        token = (await post<Schemas['EventToken']>(`scans/${scanId}/event-token`)).token;
      } catch {
        retry();
        return;
      }
      if (stopped) return;
      const es = new EventSource(url(`scans/${scanId}/events`, { event_token: token, last_event_id: lastId > 0 ? lastId : undefined }));
      source = es;
      es.onopen = () => {
        reopens = 0;
        setPhase('live');
      };
      for (const name of EVENTS) es.addEventListener(name, onMessage(name) as EventListener);
      es.onerror = () => {
        if (stopped) return;
        // CONNECTING: the browser retries by itself (sending Last-Event-ID). CLOSED: it gave up,
        // usually because the token expired; mint a new one and resume from the last id.
        if (es.readyState === EventSource.CLOSED) {
          es.close();
          retry();
        } else {
          setPhase('reconnecting');
        }
      };
    }

    open();
    return () => {
      stopped = true;
      source?.close();
      clearTimeout(timer);
      clearInterval(poller);
    };
  }, [scanId, active]);

  return { rows, phase, outcome };
}

const STATE_MARK: Record<RowState, string> = {
  queued: '…',
  running: '◐',
  complete: '✓',
  failed: '✕',
  skipped: '⊘',
};

const PHASE_TEXT: Record<Phase, string> = {
  connecting: 'Connecting to the live feed…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  polling: 'Live feed unavailable: checking the scan every 2 s',
  ended: 'Finished',
};

export function ProgressPanel({ progress, status }: { progress: Progress; status: string }) {
  const { rows, phase, outcome } = progress;
  return (
    <section class="card progress-panel" aria-labelledby="progress-title">
      <div class="row spread">
        <h2 id="progress-title">Progress</h2>
        <span class={`muted phase phase-${phase}`} role="status">
          {phase === 'ended' && outcome ? `Finished: ${outcome}` : PHASE_TEXT[phase]}
        </span>
      </div>
      {rows.length === 0 ? (
        <p class="muted">{status === 'pending' ? 'Queued: waiting for a free scan slot…' : 'Starting scanners…'}</p>
      ) : (
        <ul class="progress-rows" aria-label="Scanners">
          {rows.map((row) => (
            <li key={row.name} class={`progress-row state-${row.state}`} data-scanner={row.name}>
              <span class="progress-name">{row.name}</span>
              <span class="progress-state">
                <span aria-hidden="true">{STATE_MARK[row.state]}</span> {row.state}
              </span>
              <span class="progress-duration muted">{row.duration !== undefined ? duration(row.duration) : ''}</span>
              <span class="progress-count muted">
                {row.findings !== undefined ? `${row.findings} finding${row.findings === 1 ? '' : 's'}` : ''}
              </span>
              {row.detail && <span class="progress-detail small-text">{row.detail}</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
