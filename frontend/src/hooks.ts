import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { message } from './api/client';

export interface Async<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

/** Run `load` when `deps` change (aborting the previous run), and on `reload()`. */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ data: T | undefined; error: string | null; loading: boolean }>({
    data: undefined,
    error: null,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const latest = useRef(load);
  latest.current = load;
  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    latest
      .current(controller.signal)
      .then((data) => !controller.signal.aborted && setState({ data, error: null, loading: false }))
      .catch((error) => {
        if (!controller.signal.aborted) setState((s) => ({ data: s.data, error: message(error), loading: false }));
      });
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** Call `tick` every `ms` while the page is visible. */
export function useInterval(tick: () => void, ms: number) {
  const latest = useRef(tick);
  latest.current = tick;
  useEffect(() => {
    const id = setInterval(() => document.visibilityState === 'visible' && latest.current(), ms);
    return () => clearInterval(id);
  }, [ms]);
}

/** Set the document title for the page. */
export function useTitle(title: string) {
  useEffect(() => {
    document.title = `${title} · SecureScan`;
  }, [title]);
}
