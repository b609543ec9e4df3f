import type { BrowserContext, Page, Request } from 'playwright-core';
import { expect } from 'vitest';

/**
 * The requests a page (or a browser context) makes during one test, for that test's own
 * privacy check: none leaves the site's origin (data: and blob: URLs stay in the page), none
 * but GET is sent, and none carries a private text in its URL, body or headers, in any of the
 * forms a request would hold it (as typed, URL-encoded, form-encoded) or any word of it of six
 * letters or more. The only exception is the navigation to a link the test opened itself
 * (`open`): a link carries its text in its query, as a user's own link does.
 */
export class RequestLog {
  readonly requests: Request[] = [];
  /** The links the test opened itself. */
  readonly opened = new Set<string>();
  private readonly record = (r: Request) => void this.requests.push(r);

  constructor(private readonly source: Page | BrowserContext) {
    source.on('request', this.record);
  }

  /** Opens `url` in `page` as the test's own navigation. */
  async open(page: Page, url: string): Promise<void> {
    this.opened.add(new URL(url).href);
    await page.goto(url);
  }

  /** Stops recording, then checks every request recorded against the site's origin and the private texts. */
  async expectPrivate(origin: string, texts: readonly string[]): Promise<void> {
    this.source.off('request', this.record);
    expect(this.requests.length, 'requests recorded (the test opened a page)').toBeGreaterThan(0);
    const local = (r: Request) => /^(data|blob):/.test(r.url()) || new URL(r.url()).origin === origin;
    expect(
      this.requests.filter((r) => !local(r)).map((r) => r.url()),
      'requests that left the site',
    ).toEqual([]);
    expect(
      this.requests.filter((r) => r.method() !== 'GET').map((r) => `${r.method()} ${r.url()}`),
      'requests that send something',
    ).toEqual([]);
    const forms = texts.flatMap((t) => [
      t,
      encodeURIComponent(t),
      new URLSearchParams({ t }).toString().slice(2),
      ...(t.match(/\p{L}{6,}/gu) ?? []),
    ]);
    for (const r of this.requests) {
      if (r.isNavigationRequest() && this.opened.has(r.url())) continue;
      const carried = [r.url(), r.postData() ?? '', ...Object.values(await r.allHeaders())].join('\n');
      for (const f of forms) expect(carried, `${r.method()} ${r.url()} carries "${f}"`).not.toContain(f);
    }
  }
}
