// Small shared pieces. Severity and status are always a word next to their colour (colour is
// never the only signal), and times show relative with the exact UTC time on hover.
import type { ComponentChildren, JSX } from 'preact';
import { follow } from '../router';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function SeverityBadge({ severity, count }: { severity: string; count?: number }) {
  return (
    <span class={`sev sev-${severity}`}>
      <span class="dot" aria-hidden="true" />
      {severity}
      {count !== undefined && <strong class="count">{count}</strong>}
    </span>
  );
}

const STATUS_MARK: Record<string, string> = {
  completed: '✓',
  running: '◐',
  pending: '…',
  failed: '✕',
  cancelled: '⊘',
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <span class={`status status-${status}`}>
      <span aria-hidden="true">{STATUS_MARK[status] ?? '•'}</span> {status}
    </span>
  );
}

export function relative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return iso;
  const seconds = Math.round((now - then) / 1000);
  const abs = Math.abs(seconds);
  const [value, unit] =
    abs < 60 ? [seconds, 'second'] : abs < 3600 ? [seconds / 60, 'minute'] : abs < 86400 ? [seconds / 3600, 'hour'] : [seconds / 86400, 'day'];
  return new Intl.RelativeTimeFormat('en', { numeric: 'auto' }).format(-Math.round(value), unit as Intl.RelativeTimeFormatUnit);
}

export function Time({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span class="muted">—</span>;
  return (
    <time dateTime={iso} title={iso}>
      {relative(iso)}
    </time>
  );
}

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  return `${m}m ${Math.round(seconds - m * 60)}s`;
}

/** Seconds between two RFC 3339 times, or null. */
export function between(start: string | null | undefined, end: string | null | undefined): number | null {
  if (!start || !end) return null;
  const s = Date.parse(start);
  const e = Date.parse(end);
  return Number.isNaN(s) || Number.isNaN(e) ? null : (e - s) / 1000;
}

export function Link(props: JSX.HTMLAttributes<HTMLAnchorElement> & { href: string }) {
  return <a {...props} onClick={follow} />;
}

export function PageHeader({ title, meta, children }: { title: string; meta?: ComponentChildren; children?: ComponentChildren }) {
  return (
    <header class="page-header">
      <div>
        <h1>{title}</h1>
        {meta && <p class="meta">{meta}</p>}
      </div>
      {children && <div class="actions">{children}</div>}
    </header>
  );
}

export function ErrorNote({ error, onRetry }: { error: string | null; onRetry?: () => void }) {
  if (!error) return null;
  return (
    <div class="note error" role="alert">
      <span>{error}</span>
      {onRetry && (
        <button type="button" class="ghost" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p class="muted loading" role="status">
      {label}
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty muted">{children}</p>;
}

export function ScannerChips({ names, max = 4 }: { names: string[]; max?: number }) {
  const shown = names.slice(0, max);
  return (
    <span class="chips">
      {shown.map((n) => (
        <span class="chip" key={n}>
          {n}
        </span>
      ))}
      {names.length > max && <span class="chip more">+{names.length - max} more</span>}
    </span>
  );
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** Copy text, answering whether it worked (clipboard needs a secure context or a user gesture). */
export async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
