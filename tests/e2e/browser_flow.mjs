// End to end in a real browser: Debian's headless Chromium, driven by
// playwright-core (never a downloaded browser), against the example app.
// Usage: node browser_flow.mjs PATH/TO/cookieseal-shop
import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const app = process.argv[2];
const work = mkdtempSync(join(tmpdir(), "cookieseal-browser-"));
let checks = 0;
function check(cond, what) {
  checks++;
  if (!cond) throw new Error(`FAIL: ${what}`);
}
const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = spawn(app, ["--port", String(port), "--state", join(work, "state")], { stdio: "inherit" });
let browser;
try {
  for (let i = 0; i < 100; i++) {
    try { await fetch(`${base}/api/state`); break; } catch { await new Promise((r) => setTimeout(r, 50)); }
  }
  // launch() gives every run a fresh temporary --user-data-dir of its own.
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const a = await browser.newContext();
  const page = await a.newPage();
  const text = async (sel) => (await page.locator(sel).textContent()).trim();

  // Counting visits.
  await page.goto(base + "/");
  check((await text("#visits")) === "1", "first visit counts 1");
  await page.reload();
  check((await text("#visits")) === "2", "reload counts 2");
  const [cookie] = await a.cookies();
  check(cookie.name === "__Host-session" && cookie.httpOnly && cookie.secure && cookie.sameSite === "Lax",
        `secure cookie attributes kept by Chromium: ${JSON.stringify(cookie)}`);

  // Log in; the flash is shown once.
  await page.fill("#login-user", "alice");
  await page.click("#login");
  check((await text("#user")).includes("alice"), "logged in as alice");
  check((await text("#flash")) === "Welcome, alice!", "flash shown");
  await page.reload();
  check((await page.locator("#flash").count()) === 0, "flash shown only once");

  // Grow the cart past 4 KB: every item still shows (the file store holds it).
  for (let i = 1; i <= 25; i++) {
    await page.fill("#item", `item-${i}-${"x".repeat(200)}`);
    await page.click("#add");
  }
  check((await text("#cart-items")) === "25", "25 items in the cart");
  check(Number(await text("#cart-bytes")) > 4096, "the cart is larger than 4 KB");
  check((await page.locator("#cart li").count()) === 25, "all 25 items listed");
  const [big] = await a.cookies();
  check(big.value.length < 4000, `the cookie stays small (${big.value.length} chars)`);

  // A tampered cookie gives a fresh anonymous session.
  const tampered = await browser.newContext();
  const v = big.value;
  const i = Math.floor(v.length / 2);
  await tampered.addCookies([{ ...big, value: v.slice(0, i) + (v[i] === "A" ? "B" : "A") + v.slice(i + 1) }]);
  const tpage = await tampered.newPage();
  await tpage.goto(base + "/");
  check((await tpage.locator("#user").textContent()).includes("Not logged in"), "tampered: anonymous");
  check((await tpage.locator("#visits").textContent()).trim() === "1", "tampered: fresh counter");
  check((await tpage.locator("#cart-items").textContent()).trim() === "0", "tampered: empty cart");
  await tampered.close();

  // A second browser logs in as alice; "log out everywhere" from the first ends it.
  const b = await browser.newContext();
  const bpage = await b.newPage();
  await bpage.goto(base + "/");
  await bpage.fill("#login-user", "alice");
  await bpage.click("#login");
  check((await bpage.locator("#user").textContent()).includes("alice"), "second browser logged in");
  // No waiting anywhere: the cut-off covers every session up to the click, and
  // a login right after it holds, even within the same second.
  await page.click("#logout-everywhere");
  check((await text("#user")).includes("Not logged in"), "first browser logged out");
  check((await text("#flash")) === "You are logged out everywhere.", "the logout flash survives the logout");
  await page.fill("#login-user", "alice");
  await page.click("#login");
  check((await text("#user")).includes("alice"), "logged in again at once");
  await bpage.reload();
  check((await bpage.locator("#user").textContent()).includes("Not logged in"), "second browser logged out too");
  await page.reload();
  check((await text("#user")).includes("alice"), "the new login still holds");
  await page.click("#logout");
  check((await text("#user")).includes("Not logged in"), "logged out");
  check((await text("#cart-items")) === "0", "logout cleared the cart");
  console.log(`browser flow: ${checks} checks passed`);
} catch (e) {
  console.error(e.message || e);
  process.exitCode = 1;
} finally {
  if (browser) await browser.close();
  server.kill();
  rmSync(work, { recursive: true, force: true });
}
