/** Fetch-on-render for GET routes: data, error and a reload, cancelled when the path changes. The
 * first request of a path takes the reply the entry script may have asked for already (prefetch.ts). */
import { useCallback, useEffect, useState } from 'react';
import { ApiFailure, get, takePrefetched } from './api.js';

export interface ApiState<T> {
  data: T | null;
  error: ApiFailure | null;
  loading: boolean;
  reload: () => void;
}

export function useApi<T>(path: string | null): ApiState<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiFailure | null>(null);
  const [loading, setLoading] = useState(path !== null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setLoading(true);
    (tick === 0 ? (takePrefetched<T>(path) ?? get<T>(path)) : get<T>(path)).then(
      (d) => {
        if (!live) return;
        setData(d);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (!live) return;
        setError(e instanceof ApiFailure ? e : new ApiFailure(0, 'network', String(e)));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [path, tick]);
  return { data, error, loading, reload };
}
