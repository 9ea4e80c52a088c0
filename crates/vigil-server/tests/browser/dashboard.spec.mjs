// The dashboard in a real browser: Debian's Chromium driven by Playwright
// (playwright-core: no browser download). Started by
// crates/vigil/tests/dashboard_browser.rs against a `vigil server` it seeded;
// everything comes from the environment:
//   VIGIL_URL               the server (http://127.0.0.1:PORT)
//   VIGIL_ADMIN_USER/VIGIL_ADMIN_PASSWORD   an admin's login
//   VIGIL_ADMIN_TOKEN       the admin's API token (to look findings up)
//   VIGIL_VIEWER_TOKEN      a viewer's API token (logs in with it)
//   VIGIL_SCREENSHOT_DIR    where the screenshots go
//   VIGIL_CHROMIUM          the browser (default /usr/bin/chromium)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);

const env = (name, fallback) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`${name} is not set`);
  return v;
};
const base = env("VIGIL_URL");
const shots = env("VIGIL_SCREENSHOT_DIR");
mkdirSync(shots, { recursive: true });

let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: env("VIGIL_CHROMIUM", "/usr/bin/chromium"),
    headless: true,
    // Without the background-networking flags Chromium reaches out to
    // Google's services; the tests run on a closed network.
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
});
after(async () => {
  await browser?.close();
});

// A fresh browser context (its own cookies) whose requests may only go to
// the server under test: anything else fails the test.
// `options` go to the context (the accessibility audit's adds bypassCSP so
// that axe-core can be injected; every other test runs under the CSP).
async function newPage(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, ...options });
  const outside = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(base + "/")) return route.continue();
    outside.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.outside = outside;
  // Console errors: a resource refused by the Content Security Policy or
  // missing, a script error.
  page.errors = [];
  page.on("console", (m) => m.type() === "error" && page.errors.push(m.text()));
  page.on("pageerror", (e) => page.errors.push(String(e)));
  return page;
}

async function loginWithPassword(page) {
  await page.goto(`${base}/ui/`);
  assert.match(page.url(), /\/ui\/login\?next=%2Fui%2F$/);
  await page.getByLabel("User name").fill(env("VIGIL_ADMIN_USER"));
  await page.getByLabel("Password", { exact: true }).fill(env("VIGIL_ADMIN_PASSWORD"));
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(`${base}/ui/`);
}

async function api(path) {
  const r = await fetch(`${base}${path}`, {
    headers: { Authorization: `Bearer ${env("VIGIL_ADMIN_TOKEN")}` },
  });
  assert.equal(r.status, 200, `${path}: ${r.status}`);
  return r.json();
}

test("an admin logs in, sees the overview with its top risks, and accepts a risk", async () => {
  const page = await newPage();
  await page.goto(`${base}/ui/login`);
  await page.screenshot({ path: join(shots, "login.png") });
  await loginWithPassword(page);

  // The session cookie: HttpOnly, SameSite=Strict, Secure (a loopback address).
  const [cookie] = (await page.context().cookies()).filter((c) => c.name === "vigil_session");
  assert.ok(cookie, "a session cookie");
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, "Strict");
  assert.equal(cookie.secure, true);

  await assert.doesNotReject(page.getByRole("heading", { name: "Overview" }).waitFor());
  const topRisks = page.locator("table.top-risks tbody tr");
  assert.ok((await topRisks.count()) > 0, "the top risks are listed");
  // The highest risk comes first, with its score written and its reasons.
  const first = await topRisks.first().innerText();
  assert.match(first, /\d\.\d/);
  assert.ok((await page.locator("table.top-risks .reasons li").count()) > 0, "reasons");
  assert.ok(await page.getByRole("img", { name: /Open findings by severity: CRITICAL \d+/ }).isVisible());
  await page.screenshot({ path: join(shots, "overview.png"), fullPage: true });

  // The findings list, highest risk first.
  await page.getByRole("link", { name: "Findings", exact: true }).click();
  await page.getByLabel("Sort by").selectOption("risk");
  await page.getByRole("button", { name: "Apply" }).click();
  await page.waitForURL(/sort=risk/);
  await page.screenshot({ path: join(shots, "findings.png") });

  // Accept the top one with a justification; it leaves the open list.
  const box = page.locator('input[name="ids"]').first();
  const id = await box.getAttribute("value");
  const before = (await api("/api/v1/findings?state=active&triage=none&limit=1")).total;
  await box.check();
  await page.getByLabel(/Justification/).fill("Behind the VPN; replaced in Q1");
  await page.getByLabel(/Accepted until/).fill("2099-12-31");
  await page.getByRole("button", { name: "Accept risk" }).click();
  await page.getByText("1 findings accepted as a risk.").waitFor();
  assert.equal(await page.locator(`input[name="ids"][value="${id}"]`).count(), 0, "gone from the open list");
  const after = (await api("/api/v1/findings?state=active&triage=none&limit=1")).total;
  assert.equal(after, before - 1);
  const accepted = await api(`/api/v1/findings/${id}`);
  assert.equal(accepted.triage.status, "accepted");
  assert.equal(accepted.triage.reason, "Behind the VPN; replaced in Q1");
  // …and is listed under its state, and in the audit log.
  await page.getByLabel("State").selectOption("accepted");
  await page.getByRole("button", { name: "Apply" }).click();
  await page.locator(`input[name="ids"][value="${id}"]`).waitFor();
  const audit = await api("/api/v1/audit?limit=50");
  const entries = audit.items ?? audit;
  assert.ok(
    entries.some((e) => e.action === "finding.accept" && e.target === `finding:${id}`),
    "the acceptance is in the audit log",
  );

  // Logging out revokes the session: the dashboard asks for a login again.
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(/\/ui\/login$/);
  await page.goto(`${base}/ui/findings`);
  assert.match(page.url(), /\/ui\/login\?next=%2Fui%2Ffindings$/);
  assert.deepEqual(page.outside, [], "no request left the server");
  assert.deepEqual(page.errors, [], "no console errors (CSP violations, missing files)");
  await page.context().close();
});

test("a viewer sees no triage controls and is refused when posting anyway", async () => {
  const page = await newPage();
  await page.goto(`${base}/ui/login?next=%2Fui%2Ffindings`);
  await page.getByLabel("API token").fill(env("VIGIL_VIEWER_TOKEN"));
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(`${base}/ui/findings`);
  assert.ok((await page.locator("table.findings tbody tr").count()) > 0, "the viewer reads findings");
  assert.equal(await page.locator('input[name="ids"]').count(), 0, "no checkboxes");
  assert.equal(await page.getByRole("button", { name: "Accept risk" }).count(), 0, "no triage buttons");
  assert.equal(await page.getByRole("link", { name: "Settings" }).count(), 0, "no settings for a viewer");

  // Post the triage form anyway, with this session's valid CSRF token.
  const { items } = await api("/api/v1/findings?state=active&triage=none&limit=1");
  const id = items[0].id;
  const response = await Promise.all([
    page.waitForResponse((r) => r.url() === `${base}/ui/findings/triage`),
    page.evaluate((findingId) => {
      const csrf = document.querySelector('form[action="/ui/logout"] input[name="csrf"]').value;
      const form = document.createElement("form");
      form.method = "post";
      form.action = "/ui/findings/triage";
      for (const [name, value] of [["csrf", csrf], ["ids", findingId], ["action", "accept"], ["justification", "forged"]]) {
        const input = document.createElement("input");
        input.type = "hidden";
        input.name = name;
        input.value = value;
        form.append(input);
      }
      document.body.append(form);
      form.submit();
    }, id),
  ]).then(([r]) => r);
  assert.equal(response.status(), 403);
  await page.getByText("may not triage").waitFor();
  const still = await api(`/api/v1/findings/${id}`);
  assert.equal(still.triage, undefined, "nothing changed");
  assert.deepEqual(page.outside, [], "no request left the server");
  await page.context().close();
});

test("open a vulnerability and see where it runs: the host's processes, their exposure", async () => {
  const page = await newPage();
  await loginWithPassword(page);
  // A vulnerability on the agent's host (the seeded snapshot).
  const { items } = await api("/api/v1/findings?asset_kind=host&state=active&limit=1");
  assert.ok(items.length > 0, "a finding on a host");
  const f = items[0];
  const id = f.finding.aliases?.find((a) => a.startsWith("CVE-")) ?? f.rule_id;
  await page.getByLabel("Vulnerability", { exact: true }).fill(id);
  await page.getByRole("button", { name: "Find" }).click();
  await page.waitForURL(new RegExp(`/ui/vulnerabilities/${id}$`));
  await page.getByRole("heading", { name: /^Hosts \(\d+\)$/ }).waitFor();
  // The advisory's exploit signals: KEV and the seeded EPSS figures.
  await page.getByText(/probability of exploitation in the next 30 days/).waitFor();
  // The running instances: a process that loads the package, by its pid,
  // and the exposure written out.
  const pid = String(f.finding.runtime.processes[0].pid);
  assert.ok(await page.locator("table.processes td.num", { hasText: pid }).first().isVisible());
  assert.ok(f.exposure, "the host finding has an exposure");
  assert.ok(await page.locator(`.exposure-${f.exposure}`).first().isVisible());
  await page.screenshot({ path: join(shots, "vulnerability.png"), fullPage: true });

  // The host's page: its runtime context and inventory.
  await page.getByRole("link", { name: new RegExp(f.asset.name) }).first().click();
  await page.getByRole("heading", { name: "Runtime" }).waitFor();
  await page.screenshot({ path: join(shots, "asset.png"), fullPage: true });

  // The admin's settings.
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByRole("heading", { name: "Notification rules" }).waitFor();
  await page.screenshot({ path: join(shots, "settings.png"), fullPage: true });
  assert.deepEqual(page.outside, [], "no request left the server");
  assert.deepEqual(page.errors, [], "no console errors (CSP violations, missing files)");
  await page.context().close();
});

// axe-core injected into a page (the context bypasses the CSP for this
// only) and run on it; the serious and critical violations, readable.
async function axeViolations(page) {
  await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    return axe.run(document, { resultTypes: ["violations"] });
  });
  assert.ok(result.passes.length > 0, "axe-core ran its rules");
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join(", ")}`);
}

test("the main pages have no serious or critical accessibility violations (axe-core)", async () => {
  const page = await newPage({ bypassCSP: true });
  await page.goto(`${base}/ui/login`);
  const problems = { login: await axeViolations(page) };
  await loginWithPassword(page);
  const { items } = await api("/api/v1/findings?asset_kind=host&state=active&limit=1");
  assert.ok(items.length > 0, "a finding on a host");
  const pages = {
    overview: "/ui/",
    findings: "/ui/findings",
    vulnerability: `/ui/vulnerabilities/${encodeURIComponent(items[0].rule_id)}`,
    asset: `/ui/assets/${items[0].asset.id}`,
    assets: "/ui/assets",
    settings: "/ui/settings",
  };
  for (const [name, path] of Object.entries(pages)) {
    const response = await page.goto(`${base}${path}`);
    assert.equal(response.status(), 200, `${name}: ${path}`);
    problems[name] = await axeViolations(page);
  }
  const found = Object.entries(problems).filter(([, v]) => v.length > 0);
  assert.deepEqual(found, [], `accessibility violations:\n${found.map(([p, v]) => `${p}:\n  ${v.join("\n  ")}`).join("\n")}`);
  await page.context().close();
});

// What has the keyboard focus: its tag, id, name and classes.
const focused = (page) =>
  page.evaluate(() => {
    const e = document.activeElement;
    return { tag: e?.tagName, id: e?.id, name: e?.getAttribute("name"), cls: e?.className, type: e?.type };
  });

// Tabs until `match` says the focused element is the one (at most `max` presses).
async function tabTo(page, match, max = 400) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if (match(await focused(page))) return;
  }
  assert.fail(`not reached with ${max} tabs`);
}

// The focused element's outline as computed (the visible focus ring), and
// the contrast of its colour with the page's background (WCAG's ratio).
const outline = (page) =>
  page.evaluate(() => {
    const s = getComputedStyle(document.activeElement);
    const rgb = (c) => (c.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
    const luminance = (c) => {
      const [r, g, b] = rgb(c).map((v) => {
        const x = v / 255;
        return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const page = getComputedStyle(document.documentElement).backgroundColor;
    const [hi, lo] = [luminance(s.outlineColor), luminance(page)].sort((a, b) => b - a);
    return { style: s.outlineStyle, width: parseFloat(s.outlineWidth), contrast: (hi + 0.05) / (lo + 0.05) };
  });

test("the keyboard alone: the skip link first, focus visible, bulk triage with Space and Enter", async () => {
  const page = await newPage();
  await loginWithPassword(page);
  await page.goto(`${base}/ui/findings`);
  // The first Tab from the top of the page reaches the skip link, shown
  // with a visible focus ring; Enter moves the focus to the main content.
  await page.keyboard.press("Tab");
  const skip = await focused(page);
  assert.equal(skip.tag, "A");
  assert.match(String(skip.cls), /\bskip\b/);
  assert.ok(await page.locator("a.skip").isVisible(), "the focused skip link is on screen");
  let ring = await outline(page);
  assert.notEqual(ring.style, "none", "the skip link's focus is visible");
  assert.ok(ring.width >= 2, `outline ${ring.width}px`);
  await page.keyboard.press("Enter");
  assert.equal((await focused(page)).id, "main", "the skip link moves the focus to main");

  // From main on, Tab reaches a finding's checkbox: Space ticks it.
  await tabTo(page, (f) => f.tag === "INPUT" && f.name === "ids");
  ring = await outline(page);
  assert.notEqual(ring.style, "none", "a focused checkbox shows its focus");
  assert.ok(ring.width >= 2, `outline ${ring.width}px`);
  assert.ok(ring.contrast >= 3, `the focus ring contrasts ${ring.contrast.toFixed(2)}:1 with the page`);
  const id = await page.evaluate(() => document.activeElement.value);
  await page.keyboard.press("Space");
  assert.equal(await page.evaluate(() => document.activeElement.checked), true, "Space ticks the box");
  // The justification field, then Enter sends the form (its first
  // button: accept the risk).
  await tabTo(page, (f) => f.id === "justification");
  await page.keyboard.type("Keyboard-only triage test");
  await Promise.all([page.waitForURL(/done=accept/), page.keyboard.press("Enter")]);
  await page.getByText("1 findings accepted as a risk.").waitFor();
  const accepted = await api(`/api/v1/findings/${id}`);
  assert.equal(accepted.triage?.status, "accepted");
  assert.equal(accepted.triage?.reason, "Keyboard-only triage test");
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});

test("severities and risk bands are written out, not only coloured", async () => {
  const page = await newPage();
  await loginWithPassword(page);
  for (const path of ["/ui/", "/ui/findings?state=all", "/ui/assets"]) {
    await page.goto(`${base}${path}`);
    const marks = await page.evaluate(() =>
      [...document.querySelectorAll(".sev, .band")].map((e) => ({
        cls: e.className,
        text: e.textContent.trim(),
        visible: e.getClientRects().length > 0,
      })),
    );
    assert.ok(marks.length > 0, `${path}: severity or band marks`);
    for (const m of marks) {
      // The class's severity or band (`sev-HIGH`, `band-critical`) is the text shown.
      const named = /(?:sev|band)-(\S+)/.exec(m.cls)?.[1];
      assert.ok(named, `${path}: ${m.cls} names its level`);
      assert.equal(m.text.toLowerCase(), named.toLowerCase(), `${path}: ${m.cls} says "${m.text}"`);
      assert.ok(m.visible, `${path}: ${m.cls} is shown`);
    }
  }
  // The charts say their numbers in words (role="img" with a label).
  await page.goto(`${base}/ui/`);
  for (const label of await page.locator("svg.chart").evaluateAll((svgs) => svgs.map((s) => s.getAttribute("aria-label")))) {
    assert.match(label ?? "", /\d/, "a chart's label carries its numbers");
  }
  await page.context().close();
});
