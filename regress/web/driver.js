// Headless Chromium (Debian's, never a downloaded one) for the Python
// tests of regress/web, through puppeteer-core from web/package-lock.json
// as make installed it in the build tree.  One JSON command a line on
// stdin, one JSON answer a line on stdout: {id, ok, result | error}.
// Each "open" is a page in its own browser context (its own storage),
// unless it names the context of another page.

'use strict';
const path = require('path');
const readline = require('readline');
const puppeteer = require(path.join(process.env.WEB_NPM, 'node_modules',
  'puppeteer-core'));

const pages = new Map();
const consoleLog = new Map();
let browser;

async function open(a) {
  const ctx = a.context && pages.has(a.context) ?
    pages.get(a.context).browserContext() :
    await browser.createBrowserContext();
  const page = await ctx.newPage();
  await page.setViewport({ width: a.width || 1000, height: a.height || 700 });
  const log = [];
  consoleLog.set(a.page, log);
  page.on('console', (m) => log.push(m.type() + ': ' + m.text()));
  page.on('pageerror', (e) => log.push('pageerror: ' + e.message));
  pages.set(a.page, page);
  await page.goto(a.url, { waitUntil: 'load' });
  return true;
}

const commands = {
  open,
  eval: (a) => pages.get(a.page).evaluate(`(async () => { ${a.js} })()`),
  wait: (a) => pages.get(a.page).waitForFunction(a.js,
    { timeout: a.timeout || 5000, polling: 50 }).then(() => true),
  type: async (a) => {
    const p = pages.get(a.page);
    await p.focus(a.selector);
    await p.keyboard.type(a.text);
    return true;
  },
  press: (a) => pages.get(a.page).keyboard.press(a.key).then(() => true),
  click: (a) => pages.get(a.page).click(a.selector).then(() => true),
  shot: (a) => pages.get(a.page).screenshot({ path: a.path }).then(() => true),
  reload: (a) => pages.get(a.page).reload({ waitUntil: 'load' }).then(() => true),
  close: async (a) => {
    await pages.get(a.page).close();
    pages.delete(a.page);
    return true;
  },
  console: (a) => consoleLog.get(a.page) || [],
};

async function main() {
  browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    userDataDir: process.env.CHROMIUM_PROFILE,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--lang=en-US',
      ...(process.env.CHROMIUM_EXTRA || '').split(' ').filter(Boolean)],
  });
  console.log(JSON.stringify({ id: 0, ok: true, result: browser.process().pid }));
  const rl = readline.createInterface({ input: process.stdin });
  for await (const line of rl) {
    const c = JSON.parse(line);
    if (c.cmd === 'quit') break;
    let out;
    try {
      out = { id: c.id, ok: true, result: await commands[c.cmd](c) };
    } catch (e) {
      out = { id: c.id, ok: false, error: String(e && e.message || e) };
    }
    console.log(JSON.stringify(out === undefined ? null : out));
  }
  await browser.close();
}

main().catch((e) => {
  console.log(JSON.stringify({ id: 0, ok: false, error: String(e) }));
  process.exit(1);
});
