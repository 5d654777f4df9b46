// End-to-end tests of the web dashboard in headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core from web/node_modules), against a real `chengfang serve --quick` started by
// tests/web/run.sh. Usage:
//   node tests/web/dashboard.e2e.mjs --base http://127.0.0.1:PORT [--shots docs/img] [--out DIR] [--only NAME]
// Prints one line per test and closes with "N passed, N failed"; exits 1 on any failure.
import { createRequire } from 'node:module';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const require = createRequire(join(repo, 'web', 'package.json'));
const { chromium } = require('playwright-core');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const BASE = arg('base', process.env.CF_BASE_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const OUT = resolve(arg('out', join(tmpdir(), 'chengfang-web-e2e')));
const SHOTS = resolve(arg('shots', join(OUT, 'shots')));
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ONLY = arg('only', '');
const TEST_TIMEOUT_MS = 120_000;

// --- a tiny harness ---------------------------------------------------------------------------

const tests = [];
function test(name, fn) {
  tests.push({ name, fn });
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function poll(what, fn, timeoutMs = 60_000, everyMs = 500) {
  const until = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await sleep(everyMs);
  }
}

// The HTTP API, for setting up and checking what the UI did.
async function api(action, args = {}) {
  const res = await fetch(`${BASE}/api/v1/${action}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(args),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`${action}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}
async function allPlans() {
  return (await api('list_ad_plans', { limit: 200 })).plans;
}

// --- shared state between tests ---------------------------------------------------------------

let context;
let page;
let planId = null; // the plan test (a) created

async function shot(name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.evaluate(() => document.querySelectorAll('.toast').forEach((el) => el.remove()));
  await page.screenshot({ path: join(SHOTS, `dashboard-${name}.png`) });
}

// A full page load each time (a unique query string), so no state carries over from the last test.
let loads = 0;
async function gotoHash(hash) {
  await page.goto(`${BASE}/?load=${++loads}${hash}`);
  await page.waitForSelector('[data-test=clock-time]', { timeout: 15_000 });
}

// A plan to work on: the one the wizard made, or one made through the API if (a) failed.
async function ensurePlan() {
  if (planId !== null) return planId;
  const products = (await api('search_products', { limit: 3 })).products.map((p) => p.id);
  const r = await api('create_super_plan', { budget: 500, objective: 'gmv_roi', target: 1.5, products, confirm: true, idempotency_key: `e2e-fallback-${Date.now()}` });
  planId = r.plan_id;
  return planId;
}

// Scrolls so that the element sits just under the sticky top bar.
async function scrollUnderHeader(selector) {
  await page.evaluate((sel) => {
    const el = document.querySelector(sel);
    const bar = document.querySelector('.topbar')?.getBoundingClientRect().height ?? 0;
    if (el) window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - bar - 12);
  }, selector);
  await sleep(300);
}

async function setEnglish() {
  await page.evaluate(() => localStorage.setItem('chengfang.lang', 'en'));
}

// --- the tests --------------------------------------------------------------------------------

test('wizard: create a super plan (search, pick 3 products, budget, gmv_roi 1.5, review, create)', async () => {
  await gotoHash('#/new');
  await setEnglish();
  await page.reload();
  await page.waitForSelector('[data-test=wizard]');
  const before = await allPlans();

  // Step 1: budget.
  await page.fill('[data-test=budget]', '500');
  await page.fill('[data-test=name]', 'E2E wizard plan');
  assert(await page.isVisible('[data-test=guardrails]'), 'the guardrail limits are explained');
  await page.click('[data-test=next]');

  // Step 2: objective and target.
  await page.click('[data-test=objective-gmv_roi]');
  await page.fill('[data-test=target]', '1.5');
  await page.click('[data-test=next]');

  // Step 3: search a product by a word of a real product's name, pick three.
  await page.waitForSelector('[data-test=product-row]');
  const sample = (await api('search_products', { limit: 20 })).products;
  assert(sample.length >= 3, `the merchant has at least 3 products (got ${sample.length})`);
  let query = '';
  let expected = [];
  for (const p of sample) {
    const word = p.name.split(/[^A-Za-z]+/).find((w) => w.length >= 4);
    if (!word) continue;
    const hits = (await api('search_products', { query: word, limit: 50 })).products;
    if (hits.length >= 3) {
      query = word;
      expected = hits.map((x) => String(x.id));
      break;
    }
  }
  if (query) {
    await page.fill('[data-test=product-search]', query);
    // The table lists exactly what search_products returns for the query.
    await poll(`search results for "${query}"`, async () => {
      const ids = await page.$$eval('[data-test=product-row]', (rows) => rows.map((r) => r.getAttribute('data-id')));
      return JSON.stringify(ids) === JSON.stringify(expected);
    }, 15_000, 200);
  }
  const checks = page.locator('[data-test=product-check]');
  for (let i = 0; i < 3; i++) await checks.nth(i).check();
  await poll('3 products selected', async () => (await page.textContent('[data-test=selected-count]')).includes('3 / 50'), 5_000, 100);
  await shot('wizard');
  await page.click('[data-test=next]');

  // Step 4: the server's dry run, then Create (a double click must still create one plan).
  await page.waitForSelector('[data-test=review-budget]', { timeout: 15_000 });
  const budgetText = await page.textContent('[data-test=review-budget]');
  assert(budgetText.includes('500.00'), `the review shows the budget (got "${budgetText}")`);
  assert((await allPlans()).length === before.length, 'the review (a dry run) created nothing');
  await shot('review');
  await page.locator('[data-test=create]').dblclick();
  await page.waitForURL(/#\/plans\/\d+$/, { timeout: 15_000 });
  planId = Number(page.url().match(/#\/plans\/(\d+)$/)[1]);
  await page.waitForSelector(`[data-test=plan-row][data-id="${planId}"]`, { timeout: 15_000 });
  const after = await allPlans();
  assert(after.length === before.length + 1, `exactly one plan was created (before ${before.length}, after ${after.length})`);
  const plan = after.find((p) => p.id === planId);
  assert(plan && plan.name === 'E2E wizard plan', 'the new plan has the name given in the wizard');
  assert(plan.objective === 'gmv_roi' && Math.abs(plan.target_roi - 1.5) < 1e-9, `objective and target kept (${plan.objective}, ${plan.target_roi})`);
  const detail = await api('get_ad_plan', { plan_id: planId });
  assert(detail.products.length === 3, `three products in the plan (got ${detail.products.length})`);
});

test('plan view: the plan spends and the charts fill (spend, ROI/GMV, bid multiplier, channel mix)', async () => {
  const id = await ensurePlan();
  await gotoHash(`#/plans/${id}`);
  await page.waitForSelector('[data-test=plan-detail] [data-test=plan-name]', { timeout: 15_000 });
  const state = await poll('spend > 0 and points in every chart', async () => {
    const s = await page.evaluate(() => {
      const pts = (n) => Number(document.querySelector(`[data-chart=${n}]`)?.getAttribute('data-points') ?? 0);
      const spend = Number(document.querySelector('[data-test=spend-value]')?.getAttribute('data-value') ?? 0);
      return { spend, spendPts: pts('spend'), roiPts: pts('roi'), alphaPts: pts('alpha'), chanPts: pts('channels') };
    });
    return s.spend > 0 && s.spendPts >= 2 && s.roiPts >= 2 && s.alphaPts >= 1 && s.chanPts >= 1 ? s : null;
  }, 60_000, 500);
  // The charts really drew something: the canvases are there and not blank.
  const canvases = await page.$$eval('[data-chart] canvas', (cs) => cs.length);
  assert(canvases >= 4, `four chart canvases (got ${canvases})`);
  const clock = await page.textContent('[data-test=clock-time]');
  assert(/Day \d+/.test(clock), `the header shows the simulated clock (got "${clock}")`);
  assert(state.spend > 0, 'spend > 0');
  // For the screenshot, let a few more simulated hours in (not a condition of the test).
  await poll('a dozen hours in the charts', async () => Number(await page.getAttribute('[data-chart=spend]', 'data-points')) >= 12, 15_000, 500).catch(() => {});
  await scrollUnderHeader('[data-test=plan-detail] [data-test=plan-kpis]');
  await shot('plan');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SHOTS, 'dashboard-plan-full.png'), fullPage: true });
});

test('suggestions: pause the plan in the UI, apply the "resume" suggestion, see the audit entry', async () => {
  const id = await ensurePlan();
  await gotoHash(`#/plans/${id}`);
  await page.waitForSelector('[data-test=plan-detail] [data-test=plan-name]', { timeout: 15_000 });
  const detail = page.locator('[data-test=plan-detail]');
  await poll('suggestions loaded', async () => (await page.locator('[data-test=suggestion], [data-test=no-suggestions]').count()) > 0, 15_000, 200);
  // Whatever the plan has now, pausing it through the UI makes a "resume" suggestion certain.
  if ((await api('get_ad_plan', { plan_id: id })).status !== 'paused') {
    await detail.locator('[data-test=pause]').click();
    await poll('plan paused', async () => (await api('get_ad_plan', { plan_id: id })).status === 'paused', 10_000, 200);
  }
  await page.waitForSelector('[data-test=plan-detail] [data-test=status][data-status=paused]', { timeout: 10_000 });
  await page.waitForSelector('[data-test=plan-detail] [data-test=resume]', { timeout: 10_000 });
  const resume = page.locator('[data-test=suggestion][data-kind=status]');
  await resume.waitFor({ timeout: 15_000 });
  const reason = (await resume.locator('.reason').textContent()).trim();
  const served = (await api('get_bid_budget_suggestion', { plan_id: id })).suggestions.find((x) => x.kind === 'status');
  assert(served && reason === served.reason, `the suggestion shows the server's reason ("${reason}")`);
  const seqBefore = (await api('list_changes', { plan_id: id, limit: 1 })).changes[0]?.seq ?? 0;
  await resume.locator('[data-test=apply-suggestion]').click();
  await page.waitForSelector('[data-test=applied-result] [data-test=audit-entry]', { timeout: 15_000 });
  const seqShown = Number(await page.getAttribute('[data-test=audit-entry]', 'data-seq'));
  const changes = (await api('list_changes', { plan_id: id, limit: 20 })).changes;
  const entry = changes.find((c) => c.seq === seqShown);
  assert(entry && entry.seq > seqBefore, `list_changes has the new entry #${seqShown} (last before: #${seqBefore})`);
  assert(entry.actor === 'merchant:http', `the change was made over HTTP (actor ${entry.actor})`);
  assert(entry.action === 'update_ad_plan_status' && entry.before.status === 'paused' && entry.after.status === 'active', `the entry resumes the plan (${JSON.stringify(entry)})`);
  const resumes = changes.filter((c) => c.seq > seqBefore && c.action === 'update_ad_plan_status' && c.after?.status === 'active');
  assert(resumes.length === 1, `one resume was applied (${resumes.length})`);
  await poll('plan active again', async () => (await api('get_ad_plan', { plan_id: id })).status === 'active', 10_000, 200);
  await page.waitForSelector('[data-test=plan-detail] [data-test=status][data-status=active]', { timeout: 10_000 });
  // The change log card lists it too.
  await page.waitForSelector(`[data-test=change-row][data-seq="${seqShown}"]`, { timeout: 10_000 });
  await scrollUnderHeader('[data-test=suggestions-card]');
  await shot('suggestions');
});

test('bad input: a budget of 0 or above the limit shows the server\'s error and creates nothing', async () => {
  const before = (await allPlans()).length;
  const product = (await api('search_products', { limit: 1 })).products[0];
  for (const [budget, expect] of [
    ['0', /budget/i],
    ['2000000', /outside this account's limits/i],
  ]) {
    await gotoHash('#/new');
    await page.waitForSelector('[data-test=budget]');
    await page.fill('[data-test=budget]', budget);
    await page.click('[data-test=next]');
    await page.click('[data-test=objective-gmv_roi]');
    await page.fill('[data-test=target]', '1.5');
    await page.click('[data-test=next]');
    await page.fill('[data-test=product-search]', String(product.id));
    await page.waitForSelector(`[data-test=product-row][data-id="${product.id}"]`, { timeout: 10_000 });
    const row = page.locator(`[data-test=product-row][data-id="${product.id}"] [data-test=product-check]`);
    if (!(await row.isChecked())) await row.check();
    await page.click('[data-test=next]');
    await page.waitForSelector('[data-test=review-error]', { timeout: 15_000 });
    const msg = await page.textContent('[data-test=review-error] .alert-msg');
    // The very message the server gives for the same request.
    let serverMsg = '';
    const res = await fetch(`${BASE}/api/v1/create_super_plan`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ budget: Number(budget), objective: 'gmv_roi', target: 1.5, products: [product.id], flight_days: 7 }),
    });
    assert(!res.ok, `the server refuses a budget of ${budget}`);
    serverMsg = (await res.json()).error.message;
    assert(msg === serverMsg, `the UI shows the server's message (UI "${msg}", server "${serverMsg}")`);
    assert(expect.test(msg), `the message explains the budget problem ("${msg}")`);
    assert(await page.isDisabled('[data-test=create]'), 'Create stays disabled');
    if (budget === '2000000') await shot('bad-budget');
  }
  assert((await allPlans()).length === before, 'no plan was created');
});

test('edit: budget and goal changes preview as a dry run, apply on confirm, and a guardrail shows the server\'s message', async () => {
  const id = await ensurePlan();
  const plan = await api('get_ad_plan', { plan_id: id });
  await gotoHash(`#/plans/${id}`);
  const form = page.locator('[data-test=edit-budget]');
  await form.waitFor({ timeout: 15_000 });
  // +20%: preview, nothing changes, then confirm.
  const raised = Math.round(plan.total_budget * 1.2 * 100) / 100;
  await form.locator('[data-test=total_budget]').fill(String(raised));
  await form.locator('[data-test=preview]').click();
  await form.locator('[data-test=dry-run]').waitFor({ timeout: 10_000 });
  const diff = await form.locator('[data-test=dry-run] [data-test=diff]').textContent();
  assert(diff.includes(String(plan.total_budget)) && diff.includes(String(raised)), `the preview shows before and after ("${diff}")`);
  assert((await api('get_ad_plan', { plan_id: id })).total_budget === plan.total_budget, 'the preview changed nothing');
  await form.locator('[data-test=confirm]').click();
  await page.waitForSelector('[data-test=edit-ok]', { timeout: 10_000 });
  assert((await api('get_ad_plan', { plan_id: id })).total_budget === raised, `the total budget is now ${raised}`);
  const last = (await api('list_changes', { plan_id: id, limit: 5 })).changes.find((c) => c.actor === 'merchant:http');
  assert(last.action === 'update_ad_plan_budget' && last.after.total_budget === raised, `the audit log has the change (${JSON.stringify(last)})`);
  // +100% in one call: the guardrail refuses it, with its message, and nothing changes.
  await poll('the form shows the new total', async () => Number(await page.locator('[data-test=edit-budget] [data-test=total_budget]').inputValue()) === raised, 10_000, 200);
  const doubled = raised * 2;
  await page.locator('[data-test=edit-budget] [data-test=total_budget]').fill(String(doubled));
  await page.locator('[data-test=edit-budget] [data-test=preview]').click();
  await page.waitForSelector('[data-test=edit-budget] [data-test=edit-error]', { timeout: 10_000 });
  const shown = await page.textContent('[data-test=edit-budget] [data-test=edit-error] .alert-msg');
  const res = await fetch(`${BASE}/api/v1/update_ad_plan_budget`, { method: 'POST', body: JSON.stringify({ plan_id: id, total_budget: doubled }) });
  const served = await res.json();
  assert(res.status === 422 && served.error.code === 'guardrail', `the server refuses +100% with a guardrail (${res.status})`);
  assert(shown === served.error.message, `the UI shows the server's message (UI "${shown}", server "${served.error.message}")`);
  assert((await api('get_ad_plan', { plan_id: id })).total_budget === raised, 'the refused change changed nothing');
  // The ROI goal.
  const goal = page.locator('[data-test=edit-goal]');
  await goal.locator('[data-test=target_roi]').fill('1.6');
  await goal.locator('[data-test=preview]').click();
  await goal.locator('[data-test=dry-run]').waitFor({ timeout: 10_000 });
  await goal.locator('[data-test=confirm]').click();
  await poll('target ROI 1.6', async () => Math.abs((await api('get_ad_plan', { plan_id: id })).target_roi - 1.6) < 1e-9, 10_000, 200);
});

test('end: "End plan" shows the dry run first, ends the plan on confirm, and removes the controls', async () => {
  const product = (await api('search_products', { limit: 1 })).products[0];
  const created = await api('create_super_plan', { budget: 100, objective: 'profit', products: [product.id], name: 'E2E plan to end', confirm: true, idempotency_key: `e2e-end-${Date.now()}` });
  const id = created.plan_id;
  await gotoHash(`#/plans/${id}`);
  await page.waitForSelector('[data-test=plan-detail] [data-test=end]', { timeout: 15_000 });
  await page.click('[data-test=plan-detail] [data-test=end]');
  await page.waitForSelector('[data-test=end-confirm]', { timeout: 10_000 });
  assert((await api('get_ad_plan', { plan_id: id })).status !== 'ended', 'the first click only previews');
  await page.click('[data-test=confirm-end]');
  await page.waitForSelector('[data-test=plan-detail] [data-test=status][data-status=ended]', { timeout: 10_000 });
  assert((await api('get_ad_plan', { plan_id: id })).status === 'ended', 'the plan has ended');
  assert((await page.locator('[data-test=plan-detail] [data-test=pause], [data-test=plan-detail] [data-test=resume], [data-test=plan-detail] [data-test=end]').count()) === 0, 'no pause/resume/end buttons on an ended plan');
  const sug = await page.locator('[data-test=no-suggestions]').count();
  assert(sug === 1, 'an ended plan has no suggestions');
});

test('diagnosis: run the sub-agents on the plan and read the report (with appliable actions, if any)', async () => {
  const id = await ensurePlan();
  await setEnglish();
  await gotoHash(`#/plans/${id}`);
  await page.waitForSelector('[data-test=run-diagnosis]', { timeout: 15_000 });
  // The diagnosis needs at least 4 hours of reports; at this speed they come within seconds.
  await poll('a diagnosis report', async () => {
    await page.click('[data-test=run-diagnosis]');
    await page.waitForSelector('[data-test=diagnosis-roi], [data-test=diagnosis-error]', { timeout: 15_000 });
    return (await page.$('[data-test=diagnosis-roi]')) !== null;
  }, 60_000, 2_000);
  const report = await page.textContent('[data-test=diagnosis-report]');
  const api_report = (await api('diagnose_ad_plan', { plan_id: id, language: 'en' })).report;
  assert(report && report.length > 20, `report: ${report}`);
  assert(api_report.split('\n')[0].length > 0, 'the API returns a report too');
  await scrollUnderHeader('[data-test=diagnosis-card]');
  await shot('diagnosis');
});

test('creatives: the market\'s creatives show CTR and wear-out state; rotate one out for a fresh variant', async () => {
  await ensurePlan();
  await setEnglish();
  const row = await poll('a live creative with impressions', async () =>
    (await api('list_creatives', {})).in_market.find((c) => c.live && c.impressions > 0), 60_000, 2_000);
  await gotoHash('#/creatives');
  const sel = `[data-test=cr-market-row][data-id="${row.creative_id}"]`;
  await page.waitForSelector(sel, { timeout: 15_000 });
  const wear = await page.getAttribute(sel, 'data-wear');
  assert(['learning', 'healthy', 'worn_out'].includes(wear), `wear-out state ${wear}`);
  await scrollUnderHeader('[data-test=cr-market-card]');
  await shot('creatives-market');
  await page.click(`${sel} [data-test=cr-rotate]`);
  await page.waitForSelector('[data-test=cr-rotated], [data-test=cr-rotated-error]', { timeout: 15_000 });
  const err = await page.$('[data-test=cr-rotated-error]');
  assert(!err, `rotation failed: ${err && (await err.textContent())}`);
  await page.waitForSelector(`${sel}[data-live="false"]`, { timeout: 15_000 });
  const after = (await api('list_creatives', { product_id: row.product_id })).in_market;
  assert(after.some((c) => c.creative_id === row.creative_id && !c.live), 'the rotated creative is paused');
  assert(after.some((c) => c.live && c.creative_id !== row.creative_id), 'a fresh variant is live');
  const audit = (await api('list_changes', { limit: 5 })).changes;
  assert(audit.some((c) => c.action === 'rotate_creatives'), 'the rotation is in the audit log');
});

test('creatives: generate a video for a product and play it from the gallery', async () => {
  await setEnglish();
  await gotoHash('#/creatives');
  await page.waitForSelector('[data-test=cr-product]', { timeout: 15_000 });
  await page.click('[data-test=cr-product]');
  await page.selectOption('[data-test=cr-lang]', 'en');
  await page.selectOption('[data-test=cr-variants]', '1');
  await page.click('[data-test=cr-generate]');
  await page.waitForSelector('[data-test=cr-made]', { timeout: 110_000 });
  const src = await page.getAttribute('[data-test=cr-video]', 'src');
  assert(src && src.startsWith('/creatives/'), `video src ${src}`);
  const res = await fetch(`${BASE}${src}`);
  assert(res.ok, `GET ${src}: ${res.status}`);
  const bytes = (await res.arrayBuffer()).byteLength;
  assert(bytes > 10_000, `the video has ${bytes} bytes`);
  const listed = await api('list_creatives', {});
  assert(listed.creatives.some((c) => c.url === src), 'list_creatives lists the new video');
  // The browser can play it: metadata loads with a duration.
  const duration = await poll('video metadata', () =>
    page.evaluate(() => {
      const v = document.querySelector('[data-test=cr-video]');
      return v && v.readyState >= 1 ? v.duration : 0;
    }), 20_000);
  assert(duration > 5, `video duration ${duration}`);
  await shot('creatives');
  // The made video goes into delivery in place of its product's live creative.
  const made = listed.creatives.find((c) => c.url === src);
  const served = (await api('list_creatives', { product_id: made.product })).in_market.filter((c) => c.live);
  assert(served.length > 0, `product ${made.product} (the first in the list) is in a plan`);
  await page.click(`[data-test=cr-use][data-url="${src}"]`);
  await page.waitForSelector('[data-test=cr-used], [data-test=cr-used-error]', { timeout: 15_000 });
  const useErr = await page.$('[data-test=cr-used-error]');
  assert(!useErr, `use failed: ${useErr && (await useErr.textContent())}`);
  const now = await api('list_creatives', { product_id: made.product });
  const live = now.in_market.find((c) => c.live && c.media === src);
  assert(live && live.hook === made.hook && live.template === made.template, `the video is live: ${JSON.stringify(now.in_market)}`);
  assert(now.creatives.find((c) => c.url === src).in_market === true, 'the gallery marks it in the market');
});

test('language: the switch changes labels to Chinese and back, and is remembered', async () => {
  const id = await ensurePlan();
  await gotoHash(`#/plans/${id}`);
  await setEnglish();
  await page.reload();
  await page.waitForSelector('[data-test=nav-plans]');
  assert((await page.textContent('[data-test=nav-plans]')) === 'Plans', 'English nav label');
  await page.click('[data-test=lang]');
  await poll('Chinese labels', async () => (await page.textContent('[data-test=nav-plans]')) === '推广计划', 5_000, 100);
  assert((await page.textContent('[data-test=nav-new]')) === '新建全域计划', 'Chinese "new plan" label');
  assert((await page.getAttribute('html', 'lang')) === 'zh-CN', 'html lang is zh-CN');
  await page.waitForSelector('[data-test=plan-detail] [data-test=plan-name]', { timeout: 15_000 });
  await page.waitForSelector('[data-test=suggestions-card] h2:text("优化建议")', { timeout: 5_000 });
  await page.reload();
  await page.waitForSelector('[data-test=nav-plans]');
  assert((await page.textContent('[data-test=nav-plans]')) === '推广计划', 'the choice survives a reload (localStorage)');
  await page.waitForSelector('[data-test=plan-detail] [data-test=plan-name]', { timeout: 15_000 });
  await sleep(1000);
  await shot('zh');
  await page.click('[data-test=lang]');
  await poll('English labels again', async () => (await page.textContent('[data-test=nav-plans]')) === 'Plans', 5_000, 100);
});

// --- run ----------------------------------------------------------------------------------------

async function main() {
  mkdirSync(OUT, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'chengfang-chromium-'));
  let passed = 0;
  let failed = 0;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 800 },
      locale: 'en-US',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(20_000);
    const consoleErrors = [];
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    for (const [i, t] of tests.entries()) {
      if (ONLY && !t.name.includes(ONLY)) continue;
      const started = Date.now();
      try {
        await Promise.race([
          t.fn(),
          new Promise((_, reject) => setTimeout(() => reject(new Error(`test timed out after ${TEST_TIMEOUT_MS / 1000}s`)), TEST_TIMEOUT_MS)),
        ]);
        if (consoleErrors.length) throw new Error(`uncaught errors in the page: ${consoleErrors.join(' | ')}`);
        passed++;
        console.log(`PASS ${i + 1} ${t.name} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
      } catch (e) {
        failed++;
        console.log(`FAIL ${i + 1} ${t.name} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
        console.log(`     ${String(e?.message ?? e).split('\n').join('\n     ')}`);
        try {
          await page.screenshot({ path: join(OUT, `failure-${i + 1}.png`), fullPage: true });
          console.log(`     screenshot: ${join(OUT, `failure-${i + 1}.png`)}`);
        } catch {
          /* the page is gone */
        }
      }
      consoleErrors.length = 0;
    }
  } catch (e) {
    failed++;
    console.log(`FAIL setup: ${e?.message ?? e}`);
  } finally {
    await context?.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main();
