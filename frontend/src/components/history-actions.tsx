// A row's actions menu: a button that opens a small menu (arrow keys move, Escape closes and
// gives focus back to the button, a click elsewhere closes it).
import { useEffect, useRef, useState } from 'preact/hooks';
import { shortId } from './ui';

export interface MenuAction {
  label: string;
  run: () => void;
  danger?: boolean;
}

export function ActionsMenu({ scanId, target, actions }: { scanId: string; target: string; actions: MenuAction[] }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    menu.current?.querySelector<HTMLButtonElement>('[role="menuitem"]')?.focus();
    const onDown = (event: MouseEvent) => {
      const inside = menu.current?.contains(event.target as Node) || button.current?.contains(event.target as Node);
      if (!inside) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);
  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };
  const onKey = (event: KeyboardEvent) => {
    const items = [...(menu.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLButtonElement);
    if (event.key === 'Escape') {
      event.preventDefault();
      close(true);
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      items[(at + step + items.length) % items.length]?.focus();
    } else if (event.key === 'Home' || event.key === 'End') {
      event.preventDefault();
      items[event.key === 'Home' ? 0 : items.length - 1]?.focus();
    } else if (event.key === 'Tab') {
      close(false);
    }
  };
  return (
    <div class="history-menu">
      <button
        type="button"
        class="ghost small"
        ref={button}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={`Actions for scan ${shortId(scanId)} of ${target}`}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' && !open) {
            e.preventDefault();
            setOpen(true);
          }
        }}
      >
        <span aria-hidden="true">⋯</span>
      </button>
      {open && (
        <div class="history-menu-list" role="menu" ref={menu} onKeyDown={onKey} aria-label={`Scan ${shortId(scanId)}`}>
          {actions.map((action) => (
            <button
              type="button"
              role="menuitem"
              tabIndex={-1}
              key={action.label}
              class={action.danger ? 'danger' : undefined}
              onClick={() => {
                close(true);
                action.run();
              }}
            >
              {action.label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
