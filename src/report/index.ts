/**
 * The readable report of `distillguard hunt`: `report.md` and a self-contained
 * `report.html`, rendered from a `ReportInput`. Pure: the same input gives the same bytes.
 */
export { renderHtml } from './html.js';
export { renderMarkdown } from './markdown.js';
export type { ReportInput } from './types.js';
