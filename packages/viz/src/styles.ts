/**
 * The one stylesheet of every view: adopted by the page's document when a view is rendered
 * (a <style> inside the view's root where the browser has no constructable stylesheets), and
 * in the head of toHTML()'s document. Tooltips: the native `title` on hover, and the same text drawn by
 * CSS on keyboard focus (no script needed). No < or & in it (it is raw text in HTML).
 */
export const CSS = `
.gbv { font: 14px/1.5 system-ui, sans-serif; color: #1b1b1b; }
.gbv-meta { color: #555; margin: 0 0 0.5rem; }
.gbv-text { line-height: 2.1; margin: 0.25rem 0; }
.gbv-token { position: relative; padding: 0.1rem 0.2rem; border-radius: 3px; white-space: pre-wrap; }
.gbv-token[data-attribution="null"] { outline: 1px dashed #8a8a8a; outline-offset: -1px; }
.gbv-token:focus { outline: 2px solid #1b1b1b; outline-offset: 1px; }
.gbv-token:focus::after { content: attr(title); position: absolute; left: 0; top: 100%; z-index: 2; margin-top: 4px; padding: 0.25rem 0.5rem; white-space: pre; background: #1b1b1b; color: #fff; border-radius: 4px; font-size: 12px; line-height: 1.4; pointer-events: none; }
.gbv-legend { display: flex; align-items: center; gap: 0.75rem; font-size: 12px; margin: 0.5rem 0; }
.gbv-legend-scale { width: 14rem; }
.gbv-legend-bar { height: 0.8rem; border: 1px solid #ccc; border-radius: 2px; }
.gbv-legend-ticks { display: flex; justify-content: space-between; }
.gbv-table { border-collapse: collapse; margin: 0.75rem 0; }
.gbv-table th, .gbv-table td { border: 1px solid #ddd; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
.gbv-table th { background: #f3f3f3; }
.gbv-table td.gbv-true { font-weight: bold; }
.gbv-bars { margin: 0.75rem 0; }
.gbv-bars text { font: 12px system-ui, sans-serif; fill: #1b1b1b; }
.gbv-bar:focus { outline: 2px solid #1b1b1b; }
.gbv-force { margin: 0.75rem 0; }
.gbv-force text { font: 12px system-ui, sans-serif; }
.gbv-force-feature:focus { outline: 2px solid #1b1b1b; }
.gbv-class { display: grid; grid-template-columns: minmax(6rem, max-content) 1fr; gap: 0.75rem; align-items: baseline; border-bottom: 1px solid #eee; }
.gbv-class-label { font-weight: bold; }
.gbv-empty { color: #555; font-style: italic; }
`;
