// Screenshots of the web site for docs/screenshots/: the front page, a ranking, the map, a
// municipality's page, a pivoted table, and the front page and a table on a phone (390 px).
//
//   node scripts/web/screenshots.mjs BASE_URL OUT_DIR
import { mkdirSync } from 'node:fs';
import { launch } from './axe.mjs';

const [base, out] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const shots = [
  ['front-page', '/', 1280],
  ['ranking', '/rangering?indikator=pct6&kommune=730', 1280],
  ['map', '/kort?indikator=pct6&kommune=730', 1280],
  ['municipality', '/kommune/730', 1280],
  ['table-pivot', '/tabel/SAMT01?omraade=000&omraade=730&omraade=751&ydelse=tot&samtaleform=tot&periode=aar&maal=digital_pct&raekker=omraade&kolonner=tid', 1280],
  ['phone-front-page', '/', 390],
  ['phone-table', '/tabel/SAMT01?omraade=000&omraade=730&periode=aar', 390],
];
const browser = await launch();
for (const [name, path, width] of shots) {
  const page = await browser.newPage({ viewport: { width, height: 900 }, deviceScaleFactor: 1 });
  await page.goto(base + path, { waitUntil: 'load' });
  await page.screenshot({ path: `${out}/${name}.png`, fullPage: true });
  await page.close();
  console.log(`${out}/${name}.png`);
}
await browser.close();
