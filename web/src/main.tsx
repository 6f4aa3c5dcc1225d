/**
 * The entry script, kept tiny: it starts the opened view's API requests (prefetch.ts), then loads
 * the app (React, the views) in parallel with them. The charts (ECharts) and the graph (sigma,
 * graphology) are loaded by the views that draw them, in chunks of their own.
 */
import { prefetchView } from './prefetch.js';
import './styles.css';

prefetchView(window.location.hash);
void import('./mount.js');
