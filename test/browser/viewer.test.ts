// The tracewire dev viewer in a real Chromium (playwright-core driving Debian's chromium): `tracewire dev` and the
// demo's five services, the demo's five requests, then the page. Screenshots go to test/browser/screenshots/.
import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/spawn-app.js';
import { startDemoStack, type DemoStack } from './support/demo-stack.js';
import { launchChromium } from './support/launch-chromium.js';

const SCREENSHOTS = join(ROOT, 'test/browser/screenshots');
const HOSTILE = '<img src=x onerror=alert(1)>';
const HOSTILE_TRACE = 'feedfacefeedfacefeedfacefeedface';

let stack: DemoStack;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  stack = await startDemoStack();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** A new page on the viewer that records every dialog (none may open). */
async function openViewer(hash = ''): Promise<{ page: Page; dialogs: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(`${stack.viewerUrl}${hash}`);
  return { page, dialogs };
}

/** Trace ids of the rows shown, in order. */
async function rowIds(page: Page): Promise<string[]> {
  return Promise.all((await page.locator('.trace-row').all()).map(async (row) => (await row.getAttribute('data-trace-id')) ?? ''));
}

/** Trace ids (newest first) of the traces lasting at least `ms`, as the receiver's API lists them. */
async function tracesOver(ms: number): Promise<string[]> {
  const { traces } = (await (await fetch(`${stack.viewerUrl}api/traces?minDuration=${ms}`)).json()) as {
    traces: Array<{ traceId: string }>;
  };
  return traces.map((t) => t.traceId);
}

/** The slow request's trace: the one whose database query took 400 ms or more. */
async function slowTraceId(): Promise<string> {
  const { traces } = (await (await fetch(`${stack.viewerUrl}api/traces`)).json()) as { traces: Array<{ traceId: string }> };
  for (const { traceId } of traces) {
    const view = (await (await fetch(`${stack.viewerUrl}api/traces/${traceId}`)).json()) as {
      spans: Array<{ name: string; durationNs: number }>;
    };
    if (view.spans.some((s) => s.name === 'SELECT users' && s.durationNs >= 400e6)) return traceId;
  }
  throw new Error('no trace of the slow request');
}

/** What the terminal printed as the bottleneck of a trace: "service name". */
function terminalBottleneck(traceId: string): string {
  const printed = stack.dev.out.slice(stack.dev.out.indexOf(`Trace ${traceId}`));
  return /bottleneck: (.*?), [\d.]+ [mµ]?s of/.exec(printed)?.[1] ?? '';
}

describe('tracewire dev viewer in Chromium', () => {
  it('lists the five traces of the demo, and a minimum duration of 300 ms leaves only the slow one', async () => {
    const { page } = await openViewer();
    await expect.poll(() => page.locator('.trace-row').count()).toBe(5);
    await page.screenshot({ path: join(SCREENSHOTS, 'trace-list.png') });
    await page.getByLabel('Min ms').fill('300');
    // The slow request's trace, and any other the machine made as slow (a loaded CI box can): what the API says.
    const slowOnes = await tracesOver(300);
    expect(slowOnes).toContain(await slowTraceId());
    await expect.poll(() => rowIds(page)).toEqual(slowOnes);
    await page.close();
  });

  it('marks the bottleneck of the slow trace as the terminal does, on the database span, and highlights the critical path', async () => {
    const slowId = await slowTraceId();
    const { page } = await openViewer();
    await page.getByLabel('Min ms').fill('300');
    await page.locator(`.trace-row[data-trace-id="${slowId}"]`).press('Enter');
    const bottleneck = page.locator('.span-row.bottleneck');
    await expect.poll(() => bottleneck.count()).toBe(1);
    expect(await bottleneck.innerText()).toContain('◆ bottleneck');
    const service = await bottleneck.locator('.service').innerText();
    const name = await bottleneck.locator('.name').innerText();
    // Same algorithm as the terminal: the same span. That is the database query, which sleeps 400 ms, unless a
    // loaded machine stalled another span for longer: only possible when the trace lasted 800 ms or more.
    expect(terminalBottleneck(slowId)).toMatch(new RegExp(`^${service} +${name} *$`));
    const { durationNs } = (await (await fetch(`${stack.viewerUrl}api/traces/${slowId}`)).json()) as { durationNs: number };
    if (durationNs < 800e6) expect(`${service} ${name}`).toBe('database SELECT users');
    expect(await page.locator('.span-row.critical', { hasText: 'SELECT users' }).count()).toBe(1);
    expect(await page.locator('.span-row.critical').count()).toBeGreaterThanOrEqual(5);
    expect(await page.locator('.bottleneck-line').innerText()).toContain(`${service} ${name}`);
    await page.screenshot({ path: join(SCREENSHOTS, 'slow-trace.png') });
    await page.close();
  });

  it("shows the failing request's exception message in the span details", async () => {
    const { page } = await openViewer();
    await page.getByLabel('Errors only').check();
    await expect.poll(() => page.locator('.trace-row').count()).toBe(1);
    await page.locator('.trace-row').first().click();
    await page.locator('.span-row.error', { hasText: 'load user' }).first().click();
    await expect.poll(() => page.locator('.exception-message').innerText()).toContain('user 13 is locked');
    await page.screenshot({ path: join(SCREENSHOTS, 'failing-trace.png') });
    await page.close();
  });

  it('draws the service map with the four edges and their call counts', async () => {
    const { page } = await openViewer('#/map');
    const edges = page.locator('svg.service-map g.edge');
    await expect.poll(() => edges.count()).toBe(4);
    const labels: Record<string, string> = {};
    for (const edge of await edges.all())
      labels[(await edge.getAttribute('data-edge'))!] = (await edge.locator('text').textContent()) ?? '';
    expect(labels).toEqual({
      'frontend>api-gateway': expect.stringMatching(/^(⚠ )?5 calls/),
      'api-gateway>auth-service': '5 calls',
      'api-gateway>user-service': expect.stringMatching(/^(⚠ )?5 calls/),
      'user-service>database': expect.stringMatching(/^\d calls/),
    });
    expect(labels['api-gateway>user-service']).toMatch(/⚠ 5 calls · 20\.0% errors/);
    await page.screenshot({ path: join(SCREENSHOTS, 'service-map.png'), fullPage: true });
    await page.close();
  });

  it('renders a span name and attribute value that are HTML as text, and no dialog opens', async () => {
    const span = {
      traceId: HOSTILE_TRACE,
      spanId: '00f067aa0ba902b7',
      name: HOSTILE,
      kind: 2,
      startTimeUnixNano: `${Date.now()}000000`,
      endTimeUnixNano: `${Date.now() + 5}000000`,
      attributes: [{ key: 'note', value: { stringValue: `"><script>alert(2)</script>${HOSTILE}` } }],
      status: { code: 2, message: HOSTILE },
    };
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: HOSTILE } }] },
          scopeSpans: [{ scope: { name: 't' }, spans: [span] }],
        },
      ],
    };
    const res = await fetch(`${stack.receiverUrl}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    await stack.dev.waitFor((out) => (out.includes(`Trace ${HOSTILE_TRACE}`) ? true : undefined), 'hostile trace printed');
    const { page, dialogs } = await openViewer();
    await expect.poll(() => page.locator('.trace-row').count()).toBe(6);
    expect(await page.locator(`.trace-row[data-trace-id="${HOSTILE_TRACE}"] .root`).innerText()).toContain(HOSTILE);
    await page.locator(`.trace-row[data-trace-id="${HOSTILE_TRACE}"]`).click();
    await expect.poll(() => page.locator('.details h3').innerText()).toContain(HOSTILE);
    expect(await page.locator('.details table.kv td').first().innerText()).toBe(`"><script>alert(2)</script>${HOSTILE}`);
    expect(await page.locator('#app img').count()).toBe(0);
    expect(await page.locator('#app script').count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'hostile-span.png') });
    expect(dialogs).toEqual([]);
    await page.close();
  });

  it('renders a 1,000-span trace, drawing only the rows in view', async () => {
    const traceId = 'b16b16b16b16b16b16b16b16b16b16b1';
    const start = BigInt(Date.now()) * 1_000_000n;
    const spans = Array.from({ length: 1000 }, (_, i) => ({
      traceId,
      spanId: (i + 1).toString(16).padStart(16, '0'),
      parentSpanId: i === 0 ? '' : '0000000000000001', // a root with 999 children, drawn in start order
      name: `step ${i}`,
      kind: i === 0 ? 2 : 1,
      startTimeUnixNano: String(start + BigInt(i) * 10_000n),
      endTimeUnixNano: String(start + 20_000_000n - BigInt(i) * 10_000n),
      status: {},
    }));
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'big' } }] },
          scopeSpans: [{ scope: { name: 't' }, spans }],
        },
      ],
    };
    const res = await fetch(`${stack.receiverUrl}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    await stack.dev.waitFor((out) => (out.includes(`Trace ${traceId}`) ? true : undefined), '1,000-span trace printed');
    const { page } = await openViewer(`#/trace/${traceId}`);
    await page.locator('.span-row').first().waitFor();
    expect(await page.locator('.trace-header').innerText()).toContain('1000 spans');
    expect(await page.locator('.span-row').count()).toBeLessThan(100);
    await page.locator('.waterfall').hover();
    await page.mouse.wheel(0, 1000 * 26);
    await expect.poll(() => page.locator('.span-row .name', { hasText: /^step 999$/ }).count()).toBe(1);
    expect(await page.locator('.span-row').count()).toBeLessThan(100);
    await page.screenshot({ path: join(SCREENSHOTS, 'thousand-spans.png') });
    await page.close();
  });

  it('refuses a request for the page or its data with a foreign Host header', async () => {
    const { port } = new URL(stack.viewerUrl);
    for (const path of ['/', '/api/traces']) {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path, headers: { host: `attacker.example:${port}` } }, (r) => {
          r.resume();
          resolve(r.statusCode!);
        });
        req.on('error', reject);
        req.end();
      });
      expect(status, path).toBe(403);
    }
  });
});
