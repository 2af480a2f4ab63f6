#!/usr/bin/env node
// Renders Dashboard Studio definitions in headless Chromium with snapshot data and reports what happened.
//
// usage: node render.js JOB.json > REPORT.json
// JOB: {"dashboards": [{"name", "definition", "snapshots": {dsId: {fields, columns}},
//        "screenshot": "out.png"|null, "clicks": [{"viz": vizId, "column": 1}]}], "width": 1440}
// REPORT: {"dashboards": [{"name", "validation", "requests", "missing", "messages", "errors",
//          "rendered", "clicks": [{"viz", "clicked", "tokens", "opened", "requests"}], "ms"}]}
// One browser launch renders every dashboard of the job in the same page.
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');
const { build } = require('./build');

const CHROMIUM = process.env.OKTA_IR_CHROMIUM || '/usr/bin/chromium';
const FLAGS = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const RENDER_TIMEOUT_MS = 60000;
const SETTLE_MS = 600;
const CLICK_IDLE_MS = 1000;

function isStale(bundle, srcDir) {
    // rebuilt when a source, the build script or the installed packages changed after the last bundle
    if (!fs.existsSync(bundle)) return true;
    const built = fs.statSync(bundle).mtimeMs;
    const inputs = fs.readdirSync(srcDir).map((f) => path.join(srcDir, f));
    inputs.push(path.join(__dirname, 'build.js'), path.join(__dirname, 'node_modules', '.package-lock.json'));
    return inputs.some((f) => fs.existsSync(f) && fs.statSync(f).mtimeMs > built);
}

async function waitRendered(page, vizIds, expectRequests, started) {
    // Done when every data source was requested, no loading indicator is left, and nothing changed for SETTLE_MS.
    let lastCount = -1;
    let stableSince = Date.now();
    while (Date.now() - started < RENDER_TIMEOUT_MS) {
        const snap = await page.evaluate((ids) => {
            const present = ids.filter((id) => document.querySelector(`[data-test="viz-item"][data-id="${id}"]`)).length;
            const loading = document.querySelectorAll('[data-test="loading-indicators"]').length;
            return { present, loading, requests: window.oktaIr.state.requests.length };
        }, vizIds);
        const ready = snap.present === vizIds.length && snap.loading === 0 && snap.requests >= expectRequests;
        const sig = snap.present * 100000 + snap.requests * 10 + snap.loading;
        if (sig !== lastCount) {
            lastCount = sig;
            stableSince = Date.now();
        } else if (ready && Date.now() - stableSince >= SETTLE_MS) {
            return true;
        }
        await page.waitForTimeout(150);
    }
    return false;
}

const effects = () => {
    const s = window.oktaIr.state;
    return `${s.tokens.length}/${s.opened.length}/${s.requests.length}`;
};

async function waitQuiet(page, baseline) {
    // After a click: wait until its effects (tokens, opened URLs, new requests) stop changing,
    // or CLICK_IDLE_MS pass without any effect.
    const started = Date.now();
    let last = baseline;
    let changedAt = started;
    let changed = false;
    while (Date.now() - started < RENDER_TIMEOUT_MS) {
        const sig = await page.evaluate(effects);
        if (sig !== last) {
            changed = true;
            last = sig;
            changedAt = Date.now();
        }
        if (changed && Date.now() - changedAt >= SETTLE_MS) return;
        if (!changed && Date.now() - started >= CLICK_IDLE_MS) return;
        await page.waitForTimeout(100);
    }
}

async function collect(page, vizIds) {
    return page.evaluate((ids) => {
        const messages = [];
        const selectors = ['[data-test="message"]', '[data-test="missing-props-message"]',
            '[data-test="visualization-message"]', '[data-test="dashboard-message"]',
            '[data-test="grid-layout-error-message"]', '[data-test="viz-waiting-for-input-message"]',
            '[data-test="choropleth-message"]', '[data-test="invalid-time-input-message"]'];
        document.querySelectorAll(selectors.join(',')).forEach((el) => {
            const holder = el.closest('[data-id]');
            const text = (el.textContent || '').trim();
            if (text) messages.push({ viz: holder ? holder.getAttribute('data-id') : null, text });
        });
        const rendered = ids.filter((id) => {
            const el = document.querySelector(`[data-test="viz-item"][data-id="${id}"]`);
            if (!el) return false;
            const r = el.getBoundingClientRect();
            return r.width > 0 && r.height > 0 && (!!el.querySelector('svg,canvas,table') || el.textContent.trim() !== '');
        });
        const s = window.oktaIr.state;
        return { messages, rendered, requests: s.requests.slice(), missing: Array.from(new Set(s.missing)) };
    }, vizIds);
}

async function clickViz(page, vizId, column) {
    // Click a cell of the first row of a table (column: 1-based, default 1), or the first mark of a chart.
    const root = page.locator(`[data-test="viz-item"][data-id="${vizId}"]`);
    const candidates = [`tbody tr:first-child td:nth-child(${column || 1})`, 'tbody tr td', '[role="row"] [role="cell"]', '[role="gridcell"]', 'path.highcharts-point',
        'rect.highcharts-point', 'svg rect', 'svg circle', 'svg path'];
    for (const sel of candidates) {
        const target = root.locator(sel).first();
        if (await target.count()) {
            await target.click({ timeout: 5000, force: true });
            return sel;
        }
    }
    return null;
}

async function main() {
    const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
    const bundle = path.join(__dirname, 'dist', 'page.js');
    if (isStale(bundle, path.join(__dirname, 'src'))) await build();
    const css = fs.existsSync(path.join(__dirname, 'dist', 'page.css')) ? '<link rel="stylesheet" href="page.css">' : '';
    const html = path.join(__dirname, 'dist', 'index.html');
    fs.writeFileSync(html, `<!doctype html><html><head><meta charset="utf-8">${css}
<style>html,body{margin:0;background:#171d21}</style></head>
<body><div id="root"></div><script src="page.js"></script></body></html>`);

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true, timeout: 60000 });
    const report = { dashboards: [] };
    try {
        const width = job.width || 1440;
        const page = await browser.newPage({ viewport: { width, height: 900 } });
        const consoleErrors = [];
        page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
        page.on('pageerror', (e) => consoleErrors.push(String(e && e.message)));
        await page.route('**/*', (route) => {
            const url = route.request().url();
            return url.startsWith('file://') || url.startsWith('data:') ? route.continue() : route.abort();
        });
        await page.goto('file://' + html);
        await page.waitForFunction(() => !!window.oktaIr, null, { timeout: 30000 });
        for (const dash of job.dashboards) {
            const started = Date.now();
            consoleErrors.length = 0;
            const entry = { name: dash.name };
            entry.validation = await page.evaluate((d) => window.oktaIr.validate(d), dash.definition);
            const vizIds = Object.keys(dash.definition.visualizations || {});
            const dsCount = Object.keys(dash.definition.dataSources || {}).length;
            await page.evaluate(([d, s]) => window.oktaIr.render(d, s), [dash.definition, dash.snapshots]);
            entry.settled = await waitRendered(page, vizIds, Math.min(dsCount, 1), started);
            Object.assign(entry, await collect(page, vizIds));
            entry.ms = Date.now() - started;
            if (dash.screenshot) {
                const height = await page.evaluate(() => document.getElementById('root').scrollHeight);
                await page.setViewportSize({ width, height: Math.max(600, Math.min(height, 4000)) });
                await page.waitForTimeout(500);
                await page.screenshot({ path: dash.screenshot, fullPage: true });
                await page.setViewportSize({ width, height: 900 });
            }
            entry.clicks = [];
            for (const click of dash.clicks || []) {
                const before = await page.evaluate(() => window.oktaIr.state.requests.length);
                await page.evaluate(() => { window.oktaIr.state.tokens.length = 0; window.oktaIr.state.opened.length = 0; });
                const baseline = await page.evaluate(effects);
                const clicked = await clickViz(page, click.viz, click.column);
                await waitQuiet(page, baseline);
                const after = await page.evaluate((n) => ({
                    tokens: window.oktaIr.state.tokens.slice(),
                    opened: window.oktaIr.state.opened.slice(),
                    requests: window.oktaIr.state.requests.slice(n),
                }), before);
                entry.clicks.push({ viz: click.viz, clicked, ...after });
            }
            entry.errors = consoleErrors.slice();
            report.dashboards.push(entry);
        }
    } finally {
        await browser.close();
    }
    process.stdout.write(JSON.stringify(report));
}

main().catch((err) => {
    process.stderr.write(`render.js: ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
});
