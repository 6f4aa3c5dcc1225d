/** The current hash route as React state (the parsing itself lives in route.ts, free of React). */
import { useEffect, useState } from 'react';
import { parseRoute, type Route } from './route.js';

export { href, parseRoute, type Route } from './route.js';

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
