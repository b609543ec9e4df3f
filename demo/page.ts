/**
 * One view of the demo site (a tab): the shell (main.ts) lists the pages, shows one at a
 * time by `?page=<id>`, and gives it the shared context. A new page is one file in pages/
 * plus a line in pages/index.ts.
 */
export interface DemoPage {
  /** The `page` URL parameter, e.g. 'text', 'image', 'qa'. */
  id: string;
  /** Tab label. */
  title: string;
  /** Builds the page inside `root` (called once, the first time the page is shown). */
  mount(root: HTMLElement, context: PageContext): void;
}

export interface PageContext {
  /** URL state shared by every page: read at load, written on every run so links reproduce it. */
  params: URLSearchParams;
  /** Replace the URL's query with `params` (history.replaceState). */
  saveParams(): void;
  /** What explainers are loaded with: URL param `device`, else 'webgpu' on a GPU adapter and 'cpu' otherwise (a software adapter is slower than the CPU). */
  device: 'webgpu' | 'cpu';
  /** URL of a bundled model folder (served next to the page), e.g. bundled('vit-fashion-tiny'). */
  bundled(folder: string): string;
}
