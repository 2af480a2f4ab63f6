#!/usr/bin/env node
// Opens a local HTML file in headless Chromium with the network cut off and reports what it saw.
//
// usage: node open_page.js PAGE.html '["#summary", "#map"]' [SCREENSHOT.png] > REPORT.json
// REPORT: {"errors": [console errors], "requests": [non-file URLs the page tried], "title",
//          "sections": {selector: {"present", "visible", "text"}}}
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.OKTA_IR_CHROMIUM || '/usr/bin/chromium';
const FLAGS = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

async function main() {
    const file = path.resolve(process.argv[2]);
    const selectors = JSON.parse(process.argv[3] || '[]');
    const shot = process.argv[4];
    if (!fs.existsSync(file)) throw new Error(`no such page: ${file}`);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true, timeout: 60000 });
    const report = { errors: [], requests: [], sections: {} };
    try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        page.on('console', (m) => { if (m.type() === 'error') report.errors.push(m.text()); });
        page.on('pageerror', (e) => report.errors.push(String(e && e.message)));
        await page.route('**/*', (route) => {
            const url = route.request().url();
            if (url.startsWith('file://') || url.startsWith('data:')) return route.continue();
            report.requests.push(url);
            return route.abort();
        });
        await page.goto('file://' + file, { waitUntil: 'load', timeout: 30000 });
        await page.waitForTimeout(300);
        report.title = await page.title();
        for (const sel of selectors) {
            report.sections[sel] = await page.evaluate((s) => {
                const el = document.querySelector(s);
                if (!el) return { present: false, visible: false, text: '' };
                const r = el.getBoundingClientRect();
                return { present: true, visible: r.width > 0 && r.height > 0, text: el.innerText.slice(0, 2000) };
            }, sel);
        }
        if (shot) await page.screenshot({ path: shot, fullPage: true });
    } finally {
        await browser.close();
    }
    process.stdout.write(JSON.stringify(report));
}

main().catch((err) => {
    process.stderr.write(`open_page.js: ${err && err.message ? err.message : err}\n`);
    process.exit(1);
});
