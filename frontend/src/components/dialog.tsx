// A modal dialog and the "shown once" secret box, shared by the API keys and webhooks pages.
// Focus moves into the dialog, Tab stays inside it, Escape closes it, and focus goes back to
// whatever opened it, so a keyboard user never loses their place on the page.
import type { ComponentChildren } from 'preact';
import { message } from '../api/client';
import { useEffect, useRef, useState } from 'preact/hooks';
import { copy, ErrorNote } from './ui';

const FOCUSABLE = [
  'button:not(:disabled)',
  '[href]',
  'input:not(:disabled)',
  'select:not(:disabled)',
  'textarea:not(:disabled)',
  '[tabindex]:not([tabindex="-1"])',
].join(', ');

let counter = 0;

export function Dialog({
  title,
  onClose,
  children,
  closable = true,
}: {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  /** False while a request runs: closing then would hide its outcome. */
  closable?: boolean;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [id] = useState(() => `dialog-${++counter}`);
  const latest = useRef({ onClose, closable });
  latest.current = { onClose, closable };
  // Taken while rendering: children's effects (which may move focus) run before this one's.
  const [opener] = useState(() => document.activeElement as HTMLElement | null);
  useEffect(() => {
    if (!box.current?.contains(document.activeElement)) {
      const first = box.current?.querySelector<HTMLElement>('[data-autofocus]');
      (first ?? box.current?.querySelector<HTMLElement>(FOCUSABLE) ?? box.current)?.focus();
    }
    // On window, not the dialog: Escape must work wherever focus is.
    const onEscape = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      event.stopPropagation();
      if (latest.current.closable) latest.current.onClose();
    };
    addEventListener('keydown', onEscape, true);
    return () => {
      removeEventListener('keydown', onEscape, true);
      // The opener may have been re-rendered away (a row that changed): then focus the page.
      if (opener && opener.isConnected) opener.focus();
      else document.getElementById('main')?.focus();
    };
  }, []);
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Tab' || !box.current) return;
    const items = [...box.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
    if (items.length === 0) return;
    const [first, last] = [items[0], items[items.length - 1]];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };
  return (
    // A click on the backdrop keeps focus in the dialog (it does not close it: a secret shown once
    // must not vanish by a stray click).
    <div class="overlay" onMouseDown={(e) => e.target === e.currentTarget && e.preventDefault()}>
      <div
        class="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        ref={box}
        tabIndex={-1}
        onKeyDown={onKeyDown}
      >
        <h2 id={`${id}-title`} class="dialog-title">
          {title}
        </h2>
        {children}
      </div>
    </div>
  );
}

/**
 * A secret the server hands out once (an API key, a webhook signing secret). It lives only in the
 * dialog's props: closing the dialog drops it, and it never reaches storage.
 */
function SecretBox({ value, label }: { value: string; label: string }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const text = useRef<HTMLElement>(null);
  const copyButton = useRef<HTMLButtonElement>(null);
  // Shown in place of a form that just submitted: focus would otherwise fall to the page.
  useEffect(() => copyButton.current?.focus(), []);
  const selectText = () => {
    const node = text.current;
    if (!node) return;
    const range = document.createRange();
    range.selectNodeContents(node);
    const selection = getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
  };
  return (
    <div class="secret-once">
      <p class="note warn">
        <span>
          <strong>Save it now: you will not see it again.</strong> The server keeps only what it needs to check it.
        </span>
      </p>
      <p class="secret-label">{label}</p>
      <code class="secret" ref={text} data-testid="secret" tabIndex={0} onFocus={selectText}>
        {value}
      </code>
      <div class="row">
        <button
          type="button"
          ref={copyButton}
          onClick={async () => {
            const ok = await copy(value);
            setCopied(ok ? 'yes' : 'no');
            if (!ok) selectText();
          }}
        >
          Copy
        </button>
        <span role="status" class="muted">
          {copied === 'yes'
            ? 'Copied'
            : copied === 'no'
              ? 'The browser refused the clipboard: select the text above and copy it.'
              : ''}
        </span>
      </div>
    </div>
  );
}

/** A secret handed back by a confirmed action (a rotation), shown once in the same dialog. */
export interface Revealed {
  title: string;
  label: string;
  value: string;
}

/**
 * A yes/no question before something that cannot be undone, with the server's refusal shown inside
 * it. When the action hands back a secret, the same dialog shows it (focus stays in the dialog and
 * goes back to the row's button at the end).
 */
/** A secret shown this once, in a dialog of its own; closing it forgets the secret. */
export function SecretDialog({ title, value, label, onClose }: Revealed & { onClose: () => void }) {
  return (
    <Dialog title={title} onClose={onClose}>
      <SecretBox value={value} label={label} />
      <div class="row dialog-actions">
        <button type="button" class="primary" onClick={onClose}>
          Done
        </button>
      </div>
    </Dialog>
  );
}

export function Confirm({
  title,
  children,
  action,
  danger = false,
  onConfirm,
  onClose,
}: {
  title: string;
  children: ComponentChildren;
  action: string;
  danger?: boolean;
  onConfirm: () => Promise<void | Revealed>;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [revealed, setRevealed] = useState<Revealed | null>(null);
  if (revealed) return <SecretDialog {...revealed} onClose={onClose} />;
  return (
    <Dialog title={title} onClose={onClose} closable={!busy}>
      {children}
      <ErrorNote error={error} />
      <div class="row dialog-actions">
        <button
          type="button"
          class={danger ? 'danger' : 'primary'}
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            setError(null);
            try {
              const secret = await onConfirm();
              if (secret) {
                setRevealed(secret);
                setBusy(false);
              }
            } catch (err) {
              setError(message(err));
              setBusy(false);
            }
          }}
        >
          {busy ? `${action}…` : action}
        </button>
        {/* A destructive question starts on Cancel, so Enter alone cannot destroy anything. */}
        <button type="button" class="ghost" onClick={onClose} disabled={busy} data-autofocus={danger ? '' : undefined}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}

/** Checkboxes for a set of choices, each with a line of help; `chosen` stays in `options` order. */
export function CheckboxGroup<T extends string>({
  legend,
  name,
  options,
  help,
  chosen,
  onChange,
  code = false,
}: {
  legend: string;
  name: string;
  options: readonly T[];
  help: Record<T, string>;
  chosen: readonly T[];
  onChange: (chosen: T[]) => void;
  code?: boolean;
}) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      {options.map((option) => (
        <label class="check" key={option}>
          <input
            type="checkbox"
            name={name}
            value={option}
            checked={chosen.includes(option)}
            onChange={(e) => {
              const on = (e.currentTarget as HTMLInputElement).checked;
              onChange(options.filter((x) => (x === option ? on : chosen.includes(x))));
            }}
          />{' '}
          {code ? <code>{option}</code> : option} <span class="muted">— {help[option]}</span>
        </label>
      ))}
    </fieldset>
  );
}
