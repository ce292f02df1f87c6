// Accessibility of the web pages: each URL loaded in Debian's Chromium (headless, through
// playwright-core), checked by axe-core against WCAG 2.1 A and AA. Prints one JSON object:
// {"pages": [{"url", "violations": [{"id", "impact", "help", "nodes": [html…]}]}]}; exit 0.
//
//   node scripts/web/axe.mjs URL...
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage'],
  });
}

async function main(urls) {
  const browser = await launch();
  const page = await browser.newPage();
  const pages = [];
  for (const url of urls) {
    await page.goto(url, { waitUntil: 'load' });
    await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate(async () =>
      // eslint-disable-next-line no-undef
      axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
    pages.push({
      url,
      violations: result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => n.html.slice(0, 300)),
      })),
    });
  }
  await browser.close();
  console.log(JSON.stringify({ pages }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((e) => { console.error(e); process.exit(1); });
}
