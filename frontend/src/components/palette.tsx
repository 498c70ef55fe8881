// ⌘K / Ctrl K: jump to a page, a recent scan or a scanner, by keyboard.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { get, type Scan, type Schemas } from '../api/client';
import { PAGES } from '../pages';
import { navigate } from '../router';
import { useSession } from '../session';

interface Entry {
  kind: 'Page' | 'Scan' | 'Scanner';
  label: string;
  hint?: string;
  to: string;
}

export function Palette({ onClose }: { onClose: () => void }) {
  const session = useSession();
  const [text, setText] = useState('');
  const [active, setActive] = useState(0);
  const [scans, setScans] = useState<Scan[]>([]);
  const [scanners, setScanners] = useState<Schemas['ScannerStatus'][]>([]);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    input.current?.focus();
    get<Scan[]>('scans', { limit: 20 }).then(setScans, () => undefined);
    get<Schemas['StatusReport']>('dashboard/status').then((s) => setScanners(s.scanners), () => undefined);
  }, []);
  const entries = useMemo(() => {
    const all: Entry[] = [
      ...PAGES.filter((p) => p.group && (!p.scope || session.can(p.scope))).map((p) => ({ kind: 'Page' as const, label: p.label, to: p.path })),
      ...scans.map((s) => ({ kind: 'Scan' as const, label: s.target_url ?? s.target_host ?? s.target_path, hint: `${s.status} · ${s.id.slice(0, 8)}`, to: `/scan/${s.id}` })),
      ...scanners.map((s) => ({ kind: 'Scanner' as const, label: s.name, hint: s.available ? 'available' : 'not installed', to: `/scanners?q=${encodeURIComponent(s.name)}` })),
    ];
    const needle = text.trim().toLowerCase();
    return (needle ? all.filter((e) => `${e.label} ${e.hint ?? ''} ${e.kind}`.toLowerCase().includes(needle)) : all).slice(0, 30);
  }, [text, scans, scanners]);
  const go = (entry: Entry | undefined) => {
    if (!entry) return;
    onClose();
    navigate(entry.to);
  };
  return (
    <div class="overlay" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div class="palette" role="dialog" aria-modal="true" aria-label="Command palette">
        <input
          ref={input}
          type="search"
          aria-label="Search pages, scans and scanners"
          role="combobox"
          aria-expanded="true"
          aria-controls="palette-list"
          aria-activedescendant={entries[active] ? `palette-${active}` : undefined}
          placeholder="Search pages, scans, scanners…"
          value={text}
          onInput={(e) => {
            setText((e.currentTarget as HTMLInputElement).value);
            setActive(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape') onClose();
            else if (e.key === 'ArrowDown') (e.preventDefault(), setActive((a) => Math.min(a + 1, entries.length - 1)));
            else if (e.key === 'ArrowUp') (e.preventDefault(), setActive((a) => Math.max(a - 1, 0)));
            else if (e.key === 'Enter') (e.preventDefault(), go(entries[active]));
          }}
        />
        <ul id="palette-list" role="listbox" aria-label="Results">
          {entries.map((entry, i) => (
            <li
              id={`palette-${i}`}
              key={`${entry.kind}:${entry.to}`}
              role="option"
              aria-selected={i === active}
              class={i === active ? 'active' : ''}
              onMouseEnter={() => setActive(i)}
              onClick={() => go(entry)}
            >
              <span class="kind">{entry.kind}</span>
              <span class="label">{entry.label}</span>
              {entry.hint && <span class="muted">{entry.hint}</span>}
            </li>
          ))}
          {entries.length === 0 && <li class="muted">No match.</li>}
        </ul>
      </div>
    </div>
  );
}
