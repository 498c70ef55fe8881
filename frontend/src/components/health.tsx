// GET /ready every 10 s: green ready, amber slow or a check failing while the server answers,
// red unreachable or 503. The word is always shown to screen readers and on hover.
import { useEffect, useState } from 'preact/hooks';
import { useInterval } from '../hooks';

type Level = 'ok' | 'degraded' | 'down' | 'unknown';
const WORD: Record<Level, string> = { ok: 'API ready', degraded: 'API degraded', down: 'API unreachable', unknown: 'Checking API…' };

export function Health() {
  const [level, setLevel] = useState<Level>('unknown');
  const [detail, setDetail] = useState('');
  const check = async () => {
    const started = performance.now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 5000);
    try {
      const response = await fetch('/ready', { signal: controller.signal, headers: { Accept: 'application/json' } });
      const body = (await response.json().catch(() => ({}))) as { checks?: Record<string, { status: string; error?: string }> };
      const checks = Object.entries(body.checks ?? {})
        .map(([name, c]) => `${name}: ${c.status}${c.error ? ` (${c.error})` : ''}`)
        .join(', ');
      const slow = performance.now() - started > 1500;
      setLevel(response.ok ? (slow ? 'degraded' : 'ok') : 'down');
      setDetail(`${checks}${slow ? ' — slow answer' : ''}`);
    } catch {
      setLevel('down');
      setDetail('no answer within 5 s');
    } finally {
      clearTimeout(timer);
    }
  };
  useEffect(() => void check(), []);
  useInterval(check, 10_000);
  return (
    <span class={`health health-${level}`} role="status" title={`${WORD[level]}${detail ? `: ${detail}` : ''}`}>
      <span class="dot" aria-hidden="true" />
      <span class="sr-only">{WORD[level]}</span>
    </span>
  );
}
