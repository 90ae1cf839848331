// End-to-end test of the portal in headless Chromium, against the real
// communityd binary and a real SMTP capture on loopback.
//
//   COMMUNITYD_BIN=/path/to/communityd node run.mjs
//
// The whole walk-through runs twice: at desktop width and at phone width
// (390 px). Every page it visits is checked the same way: no sideways
// scrolling, no inline script or style, no raw ids or state names in the
// text, and axe-core (run in the same page) finds no serious or critical
// violation. Screenshots go to e2e/artifacts/NN-view-name.png.
//
// Prints one line per test and a final "e2e: N passed, M failed"; exits
// non-zero on any failure.

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { deflateSync, crc32 } from 'node:zlib';
import assert from 'node:assert/strict';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const BIN = resolve(process.env.COMMUNITYD_BIN || join(here, '../target/release/communityd'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = join(here, 'artifacts');
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const README = readFileSync(join(here, '../README.md'), 'utf8');
const PASSWORD = 'e2e-password-for-portal-1';

const VIEWS = [
  { name: 'desktop', viewport: { width: 1280, height: 900 } },
  { name: 'phone', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
];

/** The cast of one walk-through; each view gets its own tenants. */
function cast(view) {
  const names = view.name === 'desktop'
    ? ['Contoso', 'Fabrikam', 'Northwind']
    : ['Litware', 'Tailspin', 'Wingtip'];
  const [inviter, invitee, decliner] = names.map((n) => ({
    tenant: n, email: `admin@${n.toLowerCase()}.example`, password: PASSWORD,
  }));
  const operator = { email: `operator@${inviter.tenant.toLowerCase()}.example` };
  // Two tenants only the Tenants tab step uses, each with a script client.
  const [sharer, partner] = (view.name === 'desktop' ? ['Adatum', 'Woodgrove'] : ['Proseware', 'Lamna'])
    .map((n) => ({ tenant: n, email: `admin@${n.toLowerCase()}.example`, password: PASSWORD }));
  return { inviter, invitee, decliner, operator, sharer, partner, community: `Plant Data ${names[0]}` };
}

// ---- SMTP capture ---------------------------------------------------------

const mails = [];
function startSmtp() {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, done) {
      simpleParser(stream).then((m) => { mails.push(m); done(); }, done);
    },
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok(server));
  });
}

async function waitForMail(predicate, what, ms = 20000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const m = mails.find(predicate);
    if (m) return m;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no email arrived: ${what}`);
}

const to = (address, subjectPart) => (m) => (m.to?.value || []).some((a) => a.address === address)
  && (!subjectPart || m.subject.includes(subjectPart));

// Tera escapes '/' in attributes as &#x2F;; browsers decode it, so do we.
function decodeEntities(s) {
  return s.replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#([0-9]+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function linkIn(mail, pathPart) {
  const re = new RegExp(`href="(https?://[^"]*${pathPart}[^"]+)"`);
  const found = decodeEntities(mail.html).match(re);
  assert.ok(found, `the HTML part has a ${pathPart} link`);
  return found[1];
}

// ---- communityd -----------------------------------------------------------

let server = null;
function stopServer() {
  if (server && server.exitCode === null) server.kill('SIGTERM');
}
process.on('exit', () => { stopServer(); stopIdp(); });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { stopServer(); stopIdp(); process.exit(130); });

function cli(dataDir, args) {
  return JSON.parse(execFileSync(BIN, ['--data-dir', dataDir, ...args], { encoding: 'utf8' }));
}

/** Per tenant name (the Tenants tab step's): its id, its administrator user's id and a script client. */
const seeded = new Map();

function seed(dataDir, c) {
  for (const t of [c.inviter, c.invitee, c.decliner]) {
    cli(dataDir, ['tenant', 'create', '--name', t.tenant, '--admin-email', t.email, '--admin-password', t.password]);
  }
  for (const t of [c.sharer, c.partner]) {
    const made = cli(dataDir, ['tenant', 'create', '--name', t.tenant, '--admin-email', t.email, '--admin-password', t.password]);
    const script = cli(dataDir, ['client', 'create', '--tenant', t.tenant, '--name', 'e2e script', '--role', 'Tenant Administrator']);
    seeded.set(t.tenant, { id: made.tenant_id, adminUser: made.admin_user_id, script });
  }
  cli(dataDir, ['user', 'create', '--tenant', c.inviter.tenant, '--email', c.operator.email,
    '--password', PASSWORD, '--role', 'Tenant Member']);
}

function startServer(dataDir, smtpPort) {
  server = spawn(BIN, ['--data-dir', dataDir, 'serve', '--bind', '127.0.0.1:0'], {
    env: { ...process.env, COMMUNITYD_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, COMMUNITYD_MAIL_RETRY_BASE: '200ms', COMMUNITYD_TENANT_SIGNUP: 'invited', COMMUNITYD_USAGE_FLUSH_INTERVAL: '300ms', COMMUNITYD_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', RUST_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((ok, fail) => {
    let seen = '';
    const timer = setTimeout(() => fail(new Error(`server did not start: ${seen}`)), 20000);
    server.stdout.on('data', (chunk) => {
      seen += chunk;
      const m = seen.match(/listening on (http:\/\/\S+)/);
      if (m) { clearTimeout(timer); ok(m[1]); }
    });
    server.once('exit', (code) => fail(new Error(`server exited with ${code}: ${seen}`)));
  });
}

// ---- the OpenID provider --------------------------------------------------

// The tests' real provider (tests/idp): its venv is made on first use.
let idp = null;
function stopIdp() {
  if (idp && idp.exitCode === null) idp.kill('SIGTERM');
}

/** Starts the provider; its issuer URL. Its first stdout line is its port. */
function startIdp() {
  const root = join(here, '..');
  const python = execFileSync('bash', [join(root, 'tests/idp/venv.sh')],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  // stdin stays open: the launcher exits when it closes.
  idp = spawn(python, [join(root, 'tests/idp/provider.py')], { stdio: ['pipe', 'pipe', 'ignore'] });
  return new Promise((ok, fail) => {
    let seen = '';
    const timer = setTimeout(() => fail(new Error(`the OpenID provider did not start: ${seen}`)), 60000);
    idp.stdout.on('data', (chunk) => {
      seen += chunk;
      const m = seen.match(/^(\d+)\n/);
      if (m) { clearTimeout(timer); ok(`http://127.0.0.1:${m[1]}`); }
    });
    idp.once('exit', (code) => fail(new Error(`the OpenID provider exited with ${code}: ${seen}`)));
  });
}

/** The claims the provider puts in `sub`'s ID token. */
async function setIdpUser(issuer, sub, claims) {
  const res = await fetch(`${issuer}/users/${encodeURIComponent(sub)}`, {
    method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(claims),
  });
  assert.ok(res.ok, `the provider took ${sub}'s claims (${res.status})`);
}

// ---- a small PNG for the icon upload --------------------------------------

function png(size) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0); header.writeUInt32BE(size, 4);
  header[8] = 8; header[9] = 2; // 8-bit RGB
  const rows = [];
  for (let y = 0; y < size; y += 1) {
    const row = [0];
    for (let x = 0; x < size; x += 1) {
      const ring = Math.max(Math.abs(x - size / 2), Math.abs(y - size / 2)) < size / 4;
      row.push(ring ? 255 : 0, ring ? 176 : 96, ring ? 0 : 138);
    }
    rows.push(Buffer.from(row));
  }
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---- checks every page gets -----------------------------------------------

let shot = 0;
const seenText = [];

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const STATE_NAME = /\b(Invitation(Created|Accepted|Declined|Expired|Completed)|AwaitingConfirmation)\b/;

/**
 * Screenshot, then: no sideways scroll, action cells inside their rows, no
 * inline script or style, the portal's words, and axe-core.
 */
async function audit(page, view, name, { idsAllowed = false } = {}) {
  await page.waitForLoadState('load');
  shot += 1;
  await page.screenshot({ path: join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${view.name}-${name}.png`), fullPage: true });
  const facts = await page.evaluate(() => {
    const root = document.documentElement;
    const outside = [];
    for (const cell of document.querySelectorAll('td')) {
      const row = cell.closest('tr').getBoundingClientRect();
      const box = cell.getBoundingClientRect();
      if (box.width > 0 && (box.right > row.right + 1 || box.left < row.left - 1)) outside.push(cell.textContent.trim().slice(0, 40));
    }
    for (const el of document.querySelectorAll('main *')) {
      if (el.closest('thead, .visually-hidden')) continue;
      const box = el.getBoundingClientRect();
      if (box.width > 0 && box.right > root.clientWidth + 1) outside.push(`${el.tagName}.${el.className}: ${el.textContent.trim().slice(0, 40)}`);
    }
    return {
      scrollWidth: root.scrollWidth,
      clientWidth: root.clientWidth,
      outside: outside.slice(0, 5),
      inlineScripts: document.querySelectorAll('script:not([src])').length,
      // Chromium's autofill adds empty style attributes; only real ones count.
      inlineStyles: [...document.querySelectorAll('[style]:not([style=""]), style')].map((e) => e.outerHTML.slice(0, 120)),
      text: document.body.innerText,
    };
  });
  assert.ok(facts.scrollWidth <= facts.clientWidth,
    `${name} (${view.name}): no sideways scrolling (${facts.scrollWidth} > ${facts.clientWidth})`);
  assert.deepEqual(facts.outside, [], `${name} (${view.name}): everything stays inside the page and its table rows`);
  assert.equal(facts.inlineScripts, 0, `${name}: no inline script`);
  assert.deepEqual(facts.inlineStyles, [], `${name}: no inline style`);
  assert.doesNotMatch(facts.text, STATE_NAME, `${name}: state names appear only in the portal's words`);
  if (!idsAllowed) assert.doesNotMatch(facts.text, UUID, `${name}: no raw ids on the page`);
  seenText.push(facts.text);

  await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`), [],
    `${name} (${view.name}): axe-core finds no serious or critical violation`);
}

async function see(page, text) {
  await page.getByText(text, { exact: false }).first().waitFor({ state: 'visible', timeout: 10000 });
}

/** A button's look, to compare danger buttons with each other. */
async function look(locator) {
  return locator.evaluate((el) => {
    const s = getComputedStyle(el);
    return `${s.backgroundColor} ${s.color} ${s.borderTopColor}`;
  });
}

// ---- the walk-through -----------------------------------------------------

async function signIn(page, view, who, shotName, { wrongFirst = false } = {}) {
  await page.getByLabel('Tenant name').fill(who.tenant);
  await page.getByRole('button', { name: 'Continue' }).click();
  await see(page, `Tenant: ${who.tenant}`);
  await page.getByLabel('Email').fill(who.email);
  if (wrongFirst) {
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await see(page, 'password');
    assert.equal(await page.getByLabel('Email').inputValue(), who.email, 'a wrong password keeps the email');
    await audit(page, view, `${shotName}-wrong-password`);
  }
  await page.getByLabel('Password').fill(who.password);
  await audit(page, view, shotName);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

function tenantRow(page, name) {
  return page.locator(`tr[data-tenant="${name}"]`);
}

/** More Options -> action -> the confirmation page (audited) -> confirm. */
async function tenantAction(page, view, tenant, label, shotName) {
  const row = tenantRow(page, tenant);
  await row.getByText('More Options').click();
  await row.getByRole('button', { name: label }).click();
  assert.match(await page.locator('h1').innerText(), /\?$/, 'a confirmation page asks first');
  await audit(page, view, `${shotName}-confirm`);
  const button = page.locator('form button[data-confirm]');
  await button.click();
  await page.waitForURL(/\/communities(\/[0-9a-f-]+)?$/);
}

async function walkThrough(browser, base, view) {
  const c = cast(view);
  const ctx = (extra = {}) => browser.newContext({ viewport: view.viewport, isMobile: !!view.isMobile, hasTouch: !!view.hasTouch, ...extra });
  const inviterCtx = await ctx();
  const a = await inviterCtx.newPage();

  // Sign in; a wrong password keeps the email.
  const first = await a.goto(`${base}/communities`);
  assert.equal(first.headers()['referrer-policy'], 'no-referrer');
  assert.equal(first.headers()['x-frame-options'], 'DENY');
  await audit(a, view, 'login-tenant');
  await signIn(a, view, c.inviter, 'login-credentials', { wrongFirst: true });
  await see(a, 'Your tenant is not in any community yet.');

  // Create: the button sits under the Description field, not beside it.
  const description = a.getByLabel('Description (optional)');
  const create = a.getByRole('button', { name: 'Create community' });
  const [d, b] = [await description.boundingBox(), await create.boundingBox()];
  assert.ok(b.y >= d.y + d.height, 'the Create button is below the Description field');
  await audit(a, view, 'communities-empty');
  await a.getByLabel('Name', { exact: true }).fill(c.community);
  await description.fill('Sensor data of the shared plant.');
  await create.click();
  await see(a, 'Community created.');
  await see(a, 'Sensor data of the shared plant.');
  await see(a, 'Sharing Active');
  await audit(a, view, 'community-created');
  const communityUrl = a.url().replace(/\?.*$/, '');

  // The community's description and edit form.
  await a.getByRole('link', { name: 'Edit community' }).click();
  await audit(a, view, 'community-edit');
  await a.getByLabel('Description').fill('Sensor data of the shared plant, line 1.');
  await a.getByRole('button', { name: 'Save community' }).click();
  await see(a, 'Community saved.');
  await see(a, 'Sensor data of the shared plant, line 1.');

  // Invite: the flash says queued; the Email column turns to Sent by itself.
  await a.getByRole('link', { name: 'Invitations' }).click();
  await a.getByLabel(/Email of the other tenant/).fill(c.invitee.email);
  await a.getByRole('button', { name: 'Invite Tenant' }).click();
  await see(a, 'Invitation queued for email');
  assert.equal(await a.getByText('Invitation sent.').count(), 0);
  await see(a, 'Invitation Pending');
  await see(a, 'the link in the earlier email stops working');
  await audit(a, view, 'invitation-queued');
  const inviteeRow = a.locator(`tr[data-recipient="${c.invitee.email}"]`);
  await inviteeRow.locator('td[data-delivery="settled"]').waitFor({ timeout: 15000 });
  assert.match(await inviteeRow.locator('td[data-delivery]').innerText(), /^Sent /, 'the Email column updated without a reload');

  // Two more: one the decliner answers, one to an address nobody owns.
  for (const email of [c.decliner.email, 'Ann.Other@Elsewhere.example']) {
    await a.getByLabel(/Email of the other tenant/).fill(email);
    await a.getByRole('button', { name: 'Invite Tenant' }).click();
    await a.locator(`tr[data-recipient="${email.toLowerCase()}"]`).waitFor();
  }
  // A second invitation to the same address: the reason keeps its spelling.
  await a.getByLabel(/Email of the other tenant/).fill('ann.other@elsewhere.example');
  await a.getByRole('button', { name: 'Invite Tenant' }).click();
  await see(a, 'ann.other@elsewhere.example already has an open invitation to this community.');
  await audit(a, view, 'invite-twice');
  await a.goBack();

  const invite = await waitForMail(to(c.invitee.email), `invitation to ${c.invitee.tenant}`);
  assert.ok(invite.subject.includes(c.community), `subject names the community: ${invite.subject}`);
  assert.ok(/VIEW COMMUNITY INVITE/i.test(invite.html), 'the HTML has the VIEW COMMUNITY INVITE button');
  assert.ok(invite.text && invite.text.length > 0, 'the email has a text part');
  const inviteLink = linkIn(invite, '/invitations/');

  // The invitee: the sign-in page says why; Join; the pending membership.
  const inviteeCtx = await ctx();
  const bp = await inviteeCtx.newPage();
  const landing = await bp.goto(inviteLink);
  assert.equal(landing.headers()['referrer-policy'], 'no-referrer');
  assert.match(bp.url(), /\/login\?next=/, 'an anonymous visitor is sent to sign in');
  await see(bp, `${c.inviter.tenant} invited your tenant to join the community ${c.community}`);
  await audit(bp, view, 'login-says-why');
  await signIn(bp, view, c.invitee, 'login-invitee');
  await bp.waitForURL(/\/invitations\//);
  await see(bp, `Your tenant ${c.invitee.tenant} is about to join the community ${c.community}`);
  await audit(bp, view, 'invitation-landing');
  await bp.getByRole('button', { name: 'Join' }).click();
  await bp.waitForURL(/\/communities$/);
  await see(bp, 'You joined.');
  await see(bp, `Awaiting confirmation by ${c.inviter.tenant}`);
  assert.equal(await bp.getByText('Your tenant is not in any community yet.').count(), 0);
  await audit(bp, view, 'invitee-awaiting');
  const again = await bp.reload();
  assert.equal(again.status(), 200, 'a refresh after Join is a plain GET');
  await see(bp, `Awaiting confirmation by ${c.inviter.tenant}`);

  // The decliner: Decline asks in the danger style, then leads on.
  const declineMail = await waitForMail(to(c.decliner.email), `invitation to ${c.decliner.tenant}`);
  const declinerCtx = await ctx();
  const dp = await declinerCtx.newPage();
  await dp.goto(linkIn(declineMail, '/invitations/'));
  await signIn(dp, view, c.decliner, 'login-decliner');
  await dp.waitForURL(/\/invitations\//);
  const declineLook = await look(dp.getByRole('button', { name: 'Decline' }));
  await dp.getByRole('button', { name: 'Decline' }).click();
  await see(dp, 'Decline invitation?');
  const dangerLook = await look(dp.getByRole('button', { name: 'Decline invitation' }));
  assert.equal(dangerLook, declineLook, 'Decline and its confirmation share the danger style');
  await audit(dp, view, 'decline-confirm');
  await dp.getByRole('button', { name: 'Decline invitation' }).click();
  await dp.waitForURL(/\/communities$/);
  await see(dp, 'Invitation declined; the inviting tenant has been told.');
  assert.ok(await dp.getByRole('link', { name: 'Communities' }).count() > 0, 'a way onward after Decline');
  await audit(dp, view, 'declined');

  // The inviter: VIEW PENDING INVITATIONS -> Confirm Tenant on top and on the row.
  const pending = await waitForMail(to(c.inviter.email, 'accepted'), 'pending confirmation to the inviter');
  assert.ok(/VIEW PENDING INVITATIONS/i.test(pending.html), 'the HTML has the VIEW PENDING INVITATIONS button');
  await a.goto(linkIn(pending, '/pending/'));
  await a.waitForURL(/tab=invitations/);
  await see(a, 'Awaiting your confirmation');
  await see(a, `${c.invitee.tenant} accepted the invitation sent to ${c.invitee.email}`);
  const acceptedRow = a.locator('tr[data-state="InvitationAccepted"]');
  assert.equal(await a.locator('tbody tr').first().getAttribute('data-state'), 'InvitationAccepted',
    'accepted invitations are listed first');
  assert.equal(await acceptedRow.getByRole('button', { name: /Confirm Tenant/ }).count(), 1, 'Confirm Tenant on the accepted row');
  assert.equal(await a.locator('section.attention').getByRole('button', { name: /Confirm Tenant/ }).count(), 1, 'Confirm Tenant at the top');
  await audit(a, view, 'invitations-awaiting-confirmation');

  // The filter by state.
  await a.getByRole('link', { name: 'Declined', exact: true }).click();
  await see(a, 'Invitation Declined');
  assert.equal(await a.locator('tbody tr').count(), 1);
  assert.equal(await a.locator('tbody tr').getAttribute('data-recipient'), c.decliner.email);
  await audit(a, view, 'invitations-filter-declined');
  await a.getByRole('link', { name: 'Pending', exact: true }).click();
  assert.deepEqual(await a.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.recipient)), ['ann.other@elsewhere.example']);
  await a.getByRole('link', { name: 'All', exact: true }).click();

  // Twenty a page: eighteen more make a second page of one.
  for (let i = 0; i < 18; i += 1) {
    const email = `person${String(i).padStart(2, '0')}@elsewhere.example`;
    await a.getByLabel(/Email of the other tenant/).fill(email);
    await a.getByRole('button', { name: 'Invite Tenant' }).click();
    await a.locator(`tr[data-recipient="${email}"]`).waitFor();
  }
  assert.equal(await a.locator('tbody tr').count(), 20);
  assert.equal(await a.locator('tbody tr').first().getAttribute('data-state'), 'InvitationAccepted',
    'still awaiting confirmation first');
  assert.equal(await a.locator('tbody tr').nth(1).getAttribute('data-recipient'), 'person17@elsewhere.example',
    'then newest first');
  await audit(a, view, 'invitations-page-1');
  await a.getByRole('link', { name: 'Older →' }).click();
  assert.deepEqual(await a.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.recipient)),
    [c.decliner.email], 'the oldest on the second page');
  await audit(a, view, 'invitations-page-2');
  await a.getByRole('link', { name: '← Newer' }).click();

  // Confirm Tenant from the top of the tab.
  await a.locator('section.attention').getByRole('button', { name: /Confirm Tenant/ }).click();
  await see(a, 'Confirm Tenant?');
  await see(a, c.invitee.tenant);
  await audit(a, view, 'confirm-tenant');
  await a.locator('form button[data-confirm]').click();
  await a.waitForURL(/\/communities\/[0-9a-f-]+$/);
  await see(a, 'Tenant confirmed');
  assert.match(await tenantRow(a, c.invitee.tenant).innerText(), /Sharing Active/);
  await audit(a, view, 'tenant-active');

  // Roles: grant the operator Community Member, then revoke (asks first).
  // The community's Roles tab, not the tenant's Roles page in the nav.
  await a.locator('main').getByRole('link', { name: 'Roles', exact: true }).click();
  const operatorRow = a.locator(`tr[data-identity="${c.operator.email}"]`);
  await see(a, 'Keep Community Member ticked when you save');
  // Without Community Member: the tab again, saying why, ticks kept.
  await operatorRow.getByLabel('Community Moderator').check();
  await operatorRow.getByRole('button', { name: /Save roles/ }).click();
  await see(a, `The roles of ${c.operator.email} were not saved: Community Member is needed for any other role.`);
  assert.ok(await a.locator(`tr[data-identity="${c.operator.email}"]`).getByLabel('Community Moderator').isChecked(), 'the ticks as sent');
  await audit(a, view, 'roles-refused');
  await a.locator(`tr[data-identity="${c.operator.email}"]`).getByLabel('Community Moderator').uncheck();
  await operatorRow.getByLabel('Community Member').check();
  await audit(a, view, 'roles');
  await operatorRow.getByRole('button', { name: /Save roles/ }).click();
  await see(a, 'Roles saved.');
  assert.ok(await a.locator(`tr[data-identity="${c.operator.email}"]`).getByLabel('Community Member').isChecked());
  await a.locator(`tr[data-identity="${c.operator.email}"]`).getByRole('button', { name: /Revoke roles/ }).click();
  await see(a, 'Revoke roles?');
  const revokeLook = await look(a.locator('form button[data-confirm]'));
  assert.equal(revokeLook, declineLook, 'Revoke asks in the danger style');
  await audit(a, view, 'roles-revoke-confirm');
  await a.locator('form button[data-confirm]').click();
  await see(a, 'Roles revoked.');

  // The invitee's list now has the community, with Details.
  await bp.goto(`${base}/communities`);
  await see(bp, 'Sharing Active');
  assert.equal(await bp.getByText('Awaiting confirmation by').count(), 0);
  await audit(bp, view, 'invitee-communities');

  // Pause, resume; Leave (cancelled) and Remove ask in the danger style.
  await a.goto(communityUrl);
  await tenantAction(a, view, c.invitee.tenant, 'Pause sharing', 'pause');
  assert.match(await tenantRow(a, c.invitee.tenant).innerText(), /Sharing Paused/);
  await audit(a, view, 'tenant-paused');
  await tenantAction(a, view, c.invitee.tenant, 'Resume sharing', 'resume');
  assert.match(await tenantRow(a, c.invitee.tenant).innerText(), /Sharing Active/);

  await bp.goto(communityUrl);
  const mine = tenantRow(bp, c.invitee.tenant);
  await mine.getByText('More Options').click();
  await mine.getByRole('button', { name: 'Leave community' }).click();
  await see(bp, 'Leave community?');
  assert.equal(await look(bp.locator('form button[data-confirm]')), declineLook, 'Leave asks in the danger style');
  await audit(bp, view, 'leave-confirm');
  await bp.getByRole('link', { name: 'Cancel' }).click();

  const row = tenantRow(a, c.invitee.tenant);
  await row.getByText('More Options').click();
  await row.getByRole('button', { name: 'Remove Tenant' }).click();
  await see(a, 'Remove Tenant?');
  assert.equal(await look(a.locator('form button[data-confirm]')), declineLook, 'Remove asks in the danger style');
  await audit(a, view, 'remove-confirm');
  await a.locator('form button[data-confirm]').click();
  await see(a, 'Tenant removed from the community.');
  assert.equal(await tenantRow(a, c.invitee.tenant).count(), 0, 'the invitee is gone');

  // The removed tenant's old link speaks plainly.
  await bp.goto(inviteLink);
  await see(bp, 'This invitation was already used');
  await see(bp, `is not a member of ${c.community} now`);
  assert.equal(await bp.getByText('Invitation Completed').count(), 0);
  await audit(bp, view, 'removed-tenant-link');

  // Tenant settings: a bad file is refused, a PNG is stored and previewed.
  await a.getByRole('link', { name: 'Tenant settings' }).click();
  await see(a, 'No icon yet.');
  await audit(a, view, 'tenant-settings', { idsAllowed: true });
  const dir = mkdtempSync(join(tmpdir(), 'communityd-e2e-icon-'));
  writeFileSync(join(dir, 'not-an-icon.png'), 'GIF89a, not a PNG');
  writeFileSync(join(dir, 'icon.png'), png(48));
  await a.getByLabel(/PNG image/).setInputFiles(join(dir, 'not-an-icon.png'));
  await a.getByRole('button', { name: 'Upload icon' }).click();
  await see(a, 'The file is not a PNG image');
  await audit(a, view, 'tenant-icon-refused', { idsAllowed: true });
  await a.getByLabel(/PNG image/).setInputFiles(join(dir, 'icon.png'));
  await a.getByRole('button', { name: 'Upload icon' }).click();
  await see(a, 'Icon saved');
  const preview = a.locator('img.icon-preview');
  await preview.waitFor();
  assert.ok(await preview.evaluate((img) => img.complete && img.naturalWidth === 48), 'the preview shows the stored icon');
  await audit(a, view, 'tenant-icon-saved', { idsAllowed: true });
  await a.getByRole('button', { name: 'Remove icon' }).click();
  await see(a, 'Remove icon?');
  assert.equal(await look(a.locator('form button[data-confirm]')), declineLook, 'Remove icon asks in the danger style');
  await a.locator('form button[data-confirm]').click();
  await see(a, 'Icon removed.');
  await a.getByLabel('Tenant name').fill(`${c.inviter.tenant} Ltd`);
  await a.getByRole('button', { name: 'Save name' }).click();
  await see(a, 'Tenant name saved.');
  await see(a, `tenant ${c.inviter.tenant} Ltd`);
  rmSync(dir, { recursive: true, force: true });

  // Delete community: the typed name, in the danger style.
  await a.goto(communityUrl);
  await a.getByRole('button', { name: 'Delete community…' }).click();
  await see(a, 'Delete community?');
  assert.equal(await look(a.locator('form button[data-confirm]')), declineLook, 'Delete asks in the danger style');
  await a.getByLabel(/Type the community's name/).fill(c.community);
  await audit(a, view, 'delete-confirm');
  await a.locator('form button[data-confirm]').click();
  await see(a, 'Community deleted.');
  await audit(a, view, 'community-deleted');

  await inviterCtx.close();
  await inviteeCtx.close();
  await declinerCtx.close();
}

async function invalidLink(browser, base, view) {
  const ctx = await browser.newContext({ viewport: view.viewport });
  const page = await ctx.newPage();
  const res = await page.goto(`${base}/invitations/not-a-real-token`);
  assert.equal(res.status(), 404);
  assert.equal(res.headers()['referrer-policy'], 'no-referrer');
  await see(page, 'This invitation link is invalid or has expired');
  await audit(page, view, 'invalid-link-public');
  await ctx.close();
}

/**
 * Every email the walk-throughs received, opened at phone width: nothing
 * scrolls sideways (a fallback link that cannot wrap made them 1,564 px
 * wide at 390 px).
 */
async function emailsFitAPhone(browser) {
  const phone = VIEWS.find((v) => v.name === 'phone');
  const html = mails.filter((m) => m.html);
  assert.ok(html.length >= 4, `the walk-throughs received emails (${html.length})`);
  const ctx = await browser.newContext({ viewport: phone.viewport, isMobile: true, hasTouch: true, javaScriptEnabled: false });
  const page = await ctx.newPage();
  const wide = [];
  for (const [i, m] of html.entries()) {
    await page.setContent(m.html, { waitUntil: 'load' });
    const width = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    if (width.scroll > width.client) wide.push(`${m.subject}: ${width.scroll} px > ${width.client} px`);
    if (i < 6) await page.screenshot({ path: join(ARTIFACTS, `email-${i}-phone.png`), fullPage: true });
  }
  await ctx.close();
  assert.deepEqual(wide, [], 'every email fits a 390 px screen');
}

/**
 * Forgot password from the sign-in page, the emailed link (used once), then
 * the account page's change-password form. Runs after the walk-through, as
 * the tenant that declined (its password is no longer needed there).
 */
async function forgotPassword(browser, base, view) {
  const who = cast(view).decliner;
  const ctx = await browser.newContext({ viewport: view.viewport, isMobile: !!view.isMobile, hasTouch: !!view.hasTouch });
  const page = await ctx.newPage();
  await page.goto(`${base}/login`);
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await page.waitForURL(/\/login\/forgot$/);
  await audit(page, view, 'forgot-password');
  await page.getByLabel('Email address').fill(who.email.toUpperCase());
  await page.getByRole('button', { name: 'Email me a link' }).click();
  await see(page, 'If an account uses that email address');
  await audit(page, view, 'forgot-password-sent');

  const mail = await waitForMail((m) => m.subject === 'Set a new password' && (m.to?.text || '').includes(who.email),
    `set-password email to ${who.email}`);
  assert.match(mail.text, new RegExp(`Tenant ${who.tenant}, set a new password:`));
  const link = linkIn(mail, '/password/');
  const res = await page.goto(link);
  assert.equal(res.status(), 200);
  assert.equal(res.headers()['referrer-policy'], 'no-referrer');
  await see(page, who.email);
  await audit(page, view, 'set-password');
  await page.getByLabel('New password', { exact: true }).fill('short');
  await page.getByLabel('New password again').fill('short');
  await page.getByRole('button', { name: 'Set password' }).click();
  await see(page, 'New password must be at least 8 characters.');
  await audit(page, view, 'set-password-too-short');
  const fresh = `${PASSWORD}-new`;
  await page.getByLabel('New password', { exact: true }).fill(fresh);
  await page.getByLabel('New password again').fill(fresh);
  await page.getByRole('button', { name: 'Set password' }).click();
  await page.waitForURL(/\/login$/);
  await see(page, 'Password set.');
  await signIn(page, view, { ...who, password: fresh }, 'sign-in-new-password');
  await page.waitForURL(/\/communities$/);

  await page.getByRole('link', { name: 'Account', exact: true }).click();
  await page.waitForURL(/\/account$/);
  await audit(page, view, 'account');
  await page.getByLabel('Current password').fill('not the password');
  await page.getByLabel('New password', { exact: true }).fill(`${fresh}-2`);
  await page.getByLabel('New password again').fill(`${fresh}-2`);
  await page.getByRole('button', { name: 'Change password' }).click();
  await see(page, 'Current password is not right.');
  await audit(page, view, 'account-wrong-current-password');
  await page.getByLabel('Current password').fill(fresh);
  await page.getByLabel('New password', { exact: true }).fill(`${fresh}-2`);
  await page.getByLabel('New password again').fill(`${fresh}-2`);
  await page.getByRole('button', { name: 'Change password' }).click();
  await see(page, 'Password changed. Your other sessions are signed out.');

  const used = await page.goto(link);
  assert.equal(used.status(), 404);
  await see(page, 'This link to set a password is invalid, has expired or was already used.');
  await audit(page, view, 'set-password-link-used');
  await ctx.close();
}

/** The token endpoint's status for a client id and secret. */
async function tokenStatus(base, id, secret) {
  const res = await fetch(`${base}/identity/connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: secret }).toString(),
  });
  const body = await res.json();
  return res.status === 200 && typeof body.access_token === 'string' ? 200 : res.status;
}

/** A client made on the Clients page gets a token with the secret shown once. */
async function clientsPage(browser, base, view) {
  const who = cast(view).invitee;
  const ctx = await browser.newContext({ viewport: view.viewport, isMobile: !!view.isMobile, hasTouch: !!view.hasTouch });
  const page = await ctx.newPage();
  await page.goto(`${base}/login?next=/communities`);
  await signIn(page, view, who, 'clients-sign-in');
  await page.waitForURL(/\/communities$/);
  await page.getByRole('link', { name: 'Clients', exact: true }).click();
  await page.waitForURL(/\/clients$/);
  await audit(page, view, 'clients-empty');
  await page.getByLabel('Name', { exact: true }).fill('Historian export');
  await page.getByLabel('Secret description').fill('export server');
  await page.getByRole('button', { name: 'Create client' }).click();
  await see(page, 'Copy the secret now.');
  assert.ok(await page.getByRole('button', { name: 'Copy' }).first().isVisible(), 'the copy buttons show with the script');
  await audit(page, view, 'client-created', { idsAllowed: true });
  const id = (await page.locator('#client-id').innerText()).trim();
  const secret = (await page.locator('#client-secret').innerText()).trim();
  assert.equal(await tokenStatus(base, id, secret), 200, 'the secret shown gets a token');

  await page.getByRole('link', { name: 'Done' }).click();
  await page.waitForURL(/\/clients$/);
  await see(page, 'export server');
  assert.ok(!(await page.content()).includes(secret), 'the secret is shown only once');
  await audit(page, view, 'clients-list', { idsAllowed: true });
  await page.getByRole('button', { name: 'Revoke' }).click();
  assert.match(await page.locator('h1').innerText(), /\?$/, 'a confirmation page asks first');
  await audit(page, view, 'client-secret-revoke-confirm');
  await page.locator('form button[data-confirm]').click();
  await see(page, 'Secret revoked; it no longer gets tokens.');
  assert.equal(await tokenStatus(base, id, secret), 400, 'a revoked secret gets no token');
  await page.getByRole('button', { name: 'Delete client' }).click();
  await audit(page, view, 'client-delete-confirm');
  await page.locator('form button[data-confirm]').click();
  await see(page, 'Client deleted; its secrets no longer get tokens.');
  await ctx.close();
}

/**
 * Tenant settings -> Webhooks: an endpoint registered on the page shows its
 * signing secret once, is listed, has a delivery log, is disabled and then
 * deleted after a confirmation.
 */
async function webhooksPage(browser, base, view) {
  const who = cast(view).invitee;
  const ctx = await browser.newContext({ viewport: view.viewport, isMobile: !!view.isMobile, hasTouch: !!view.hasTouch });
  const page = await ctx.newPage();
  await page.goto(`${base}/login?next=/communities`);
  await signIn(page, view, who, 'webhooks-sign-in');
  await page.waitForURL(/\/communities$/);
  await page.getByRole('link', { name: 'Tenant settings' }).click();
  await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
  await page.waitForURL(/\/tenant\/webhooks$/);
  await audit(page, view, 'webhooks-empty');
  // No event ticked: the form comes back naming the events.
  await page.getByLabel('URL').fill('http://127.0.0.1:9/hooks/in');
  await page.getByRole('button', { name: 'Create webhook' }).click();
  await see(page, 'The events must name at least one of');
  await audit(page, view, 'webhooks-refused');
  await page.getByLabel('Invitation.Created').check();
  await page.getByLabel('Description (optional)').fill('Our ERP');
  await page.getByRole('button', { name: 'Create webhook' }).click();
  await see(page, 'Copy the signing secret now.');
  await audit(page, view, 'webhook-created', { idsAllowed: true });
  const secret = (await page.locator('#webhook-secret').innerText()).trim();
  assert.match(secret, /^whsec_/, 'the signing secret is shown');

  await page.getByRole('link', { name: 'Done' }).click();
  await page.waitForURL(/\/tenant\/webhooks$/);
  await see(page, 'Our ERP');
  assert.ok(!(await page.content()).includes(secret), 'the secret is shown only once');
  await audit(page, view, 'webhooks-list', { idsAllowed: true });
  await page.getByRole('link', { name: /^Delivery log/ }).click();
  await page.waitForURL(/\/tenant\/webhooks\/[0-9a-f-]+$/);
  await see(page, 'Nothing has been sent to this webhook yet.');
  await audit(page, view, 'webhook-delivery-log', { idsAllowed: true });
  await page.getByRole('link', { name: '← Webhooks' }).click();
  await page.waitForURL(/\/tenant\/webhooks$/);
  await page.getByRole('button', { name: /^Disable/ }).click();
  await see(page, 'Webhook disabled; nothing is sent to it until it is enabled again.');
  await audit(page, view, 'webhooks-disabled', { idsAllowed: true });
  await page.getByRole('button', { name: /^Delete/ }).click();
  assert.match(await page.locator('h1').innerText(), /\?$/, 'a confirmation page asks first');
  await audit(page, view, 'webhook-delete-confirm');
  await page.locator('form button[data-confirm]').click();
  await see(page, 'Webhook deleted; nothing more is sent to it.');
  await see(page, 'Your tenant has no webhooks yet.');
  await ctx.close();
}

/** A client's access token, for calling the API as that client. */
async function accessToken(base, id, secret) {
  const res = await fetch(`${base}/identity/connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: secret }).toString(),
  });
  assert.equal(res.status, 200, `a token for client ${id}`);
  return (await res.json()).access_token;
}

/** An API call with a bearer token; the status and the JSON body, if any. */
async function api(base, token, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** A client made on the Clients page with the roles ticked; its id and secret. */
async function makeClient(page, base, name, roles) {
  await page.goto(`${base}/clients`);
  const form = page.locator('form[action="/clients"]');
  await form.getByLabel('Name', { exact: true }).fill(name);
  for (const [role, ticked] of Object.entries(roles)) {
    await form.getByLabel(role, { exact: true }).setChecked(ticked);
  }
  await form.getByRole('button', { name: 'Create client' }).click();
  await see(page, 'Copy the secret now.');
  const id = (await page.locator('#client-id').innerText()).trim();
  const secret = (await page.locator('#client-secret').innerText()).trim();
  await page.getByRole('link', { name: 'Done' }).click();
  await page.waitForURL(/\/clients$/);
  return { id, secret };
}

/**
 * A custom role on the Roles page, given to a client on the Clients page,
 * named with Read and Share in a stream's access list: its holder shares
 * the stream into a community, and a plain Tenant Member may not. Runs
 * after clientsPage, as the invitee (the walk-through removed it from its
 * community, so it makes its own, where it is an Active member).
 */
async function customRoleShares(browser, base, view) {
  const who = cast(view).invitee;
  const ctx = await browser.newContext({ viewport: view.viewport, isMobile: !!view.isMobile, hasTouch: !!view.hasTouch });
  const page = await ctx.newPage();
  await page.goto(`${base}/login?next=/communities`);
  await signIn(page, view, who, 'roles-sign-in');
  await page.waitForURL(/\/communities$/);

  // The Roles page: the built-in roles, then a Data Steward made here.
  await page.getByRole('link', { name: 'Roles', exact: true }).click();
  await page.waitForURL(/\/tenant\/roles$/);
  await see(page, 'Built-in');
  await audit(page, view, 'roles-page');
  await page.getByLabel('Name', { exact: true }).fill('Data Steward');
  await page.getByLabel('Description (optional)').fill('Shares streams with communities');
  await page.getByRole('button', { name: 'Create role' }).click();
  await page.waitForURL(/\/tenant\/roles$/);
  await see(page, 'Role created');
  assert.match(await page.locator('tr[data-role="Data Steward"]').innerText(), /Shares streams with communities/);
  await audit(page, view, 'roles-created');
  // A taken name comes back on the form, with what was typed.
  await page.getByLabel('Name', { exact: true }).fill('data steward');
  await page.getByRole('button', { name: 'Create role' }).click();
  await see(page, 'already has a role named');
  assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'data steward');
  await audit(page, view, 'roles-name-taken');

  // Clients ticked on the Clients page: an administrator's, a steward, a member.
  const admin = await makeClient(page, base, 'Steward admin script', { 'Tenant Member': false, 'Tenant Administrator': true });
  const steward = await makeClient(page, base, 'Steward script', { 'Tenant Member': true, 'Data Steward': true });
  const member = await makeClient(page, base, 'Member script', { 'Tenant Member': true, 'Data Steward': false });
  const card = page.locator('section.card', { has: page.getByRole('heading', { name: 'Steward script', exact: true }) });
  assert.match(await card.innerText(), /Tenant Member, Data Steward/);
  await audit(page, view, 'clients-with-custom-role', { idsAllowed: true });

  // A community of its own, where the tenant is an Active member.
  await page.getByRole('link', { name: 'Communities', exact: true }).click();
  await page.getByLabel('Name', { exact: true }).fill(`Steward data ${view.name}`);
  await page.getByRole('button', { name: 'Create community' }).click();
  await see(page, 'Community created.');
  const community = page.url().match(/\/communities\/([0-9a-f-]+)/)[1];
  await page.getByRole('link', { name: 'Tenant settings' }).click();
  const tenant = (await page.locator('main code').first().innerText()).trim();

  // The administrator's token: a stream whose list lets Data Stewards read and share.
  const [adminToken, stewardToken, memberToken] = await Promise.all(
    [admin, steward, member].map((c) => accessToken(base, c.id, c.secret)));
  const ns = `/api/v1/Tenants/${tenant}/Namespaces/default`;
  const type = {
    Id: 'StewardWave', SdsTypeCode: 'Object', Name: 'StewardWave',
    Properties: [
      { Id: 'Order', IsKey: true, SdsType: { Id: 'intType', SdsTypeCode: 'Int32', Properties: [] } },
      { Id: 'Radians', IsKey: false, SdsType: { Id: 'doubleType', SdsTypeCode: 'Double', Properties: [] } },
    ],
  };
  assert.ok((await api(base, adminToken, 'POST', `${ns}/Types/StewardWave`, type)).status < 300, 'the type is made');
  const stream = `${ns}/Streams/steward-line`;
  assert.equal((await api(base, adminToken, 'POST', stream, { Id: 'steward-line', TypeId: 'StewardWave', Name: 'Steward line' })).status, 201);
  const roles = await api(base, adminToken, 'GET', `/api/v1/Tenants/${tenant}/Roles`);
  const dataSteward = roles.body.find((r) => r.Name === 'Data Steward').Id;
  const acl = await api(base, adminToken, 'GET', `${stream}/AccessControl`);
  assert.equal(acl.status, 200);
  acl.body.RoleTrusteeAccessControlEntries.push({
    Trustee: { Type: 'Role', ObjectId: dataSteward, TenantId: null }, AccessType: 'Allowed', AccessRights: 1 | 16,
  });
  assert.equal((await api(base, adminToken, 'PUT', `${stream}/AccessControl`, acl.body)).status, 204, 'the list names Data Steward');

  // Sharing: the community's Community Member role with Read.
  const shown = await api(base, adminToken, 'GET', `/api/v1-preview/tenants/${tenant}/communities/${community}`);
  const share = [{
    op: 'add', path: '/RoleTrusteeAccessControlEntries/-',
    value: { AccessRights: 1, AccessType: 0, Trustee: { ObjectId: shown.body.MemberRoleId, TenantId: null, Type: 'Role' } },
  }];
  assert.equal((await api(base, memberToken, 'PATCH', `${stream}/AccessControl`, share)).status, 403, 'a Tenant Member may not share');
  assert.equal((await api(base, stewardToken, 'PATCH', `${stream}/AccessControl`, share)).status, 204, 'the Data Steward shares');
  await page.goto(`${base}/communities/${community}`);
  await see(page, 'Steward line');
  await ctx.close();
}

/** A call as a tenant's script client (seeded), which must succeed; its JSON. */
async function asScript(base, tenant, method, path, body) {
  const { script } = seeded.get(tenant);
  const token = await accessToken(base, script.client_id, script.client_secret);
  const answer = await api(base, token, method, path, body);
  assert.ok(answer.status < 300, `${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/**
 * The Tenants tab with streams shared by two members: each member's
 * contact, share count and start date, the shares listed in its row (at
 * 390 px too), the owner setting its contact, and Unshare asking first in
 * the danger style, naming the stream. The sharer owns the community and
 * the partner joins it, both through the API as their scripts would.
 */
async function tenantsTab(browser, base, view) {
  const { sharer: owner, partner: member } = cast(view);
  const [o, m] = [seeded.get(owner.tenant), seeded.get(member.tenant)];
  const community = await asScript(base, owner.tenant, 'POST', `/api/v1-preview/tenants/${o.id}/communities`, { Name: `Line data ${owner.tenant}` });
  const communityPath = `/api/v1-preview/tenants/${o.id}/communities/${community.Id}`;
  const invitation = await asScript(base, owner.tenant, 'POST', `${communityPath}/invitations`, { InvitationRecipient: member.email });
  await asScript(base, member.tenant, 'PUT', `/api/v1-preview/communityinvitations/${invitation.Id}`, { Action: 'Accept' });
  await asScript(base, owner.tenant, 'PUT', `${communityPath}/communitytenants/${m.id}`, { Status: 'Active' });
  const memberRole = community.MemberRoleId;
  // The owner's administrator sees every member's shares.
  await asScript(base, owner.tenant, 'PUT', `${communityPath}/Users/${o.adminUser}`, [memberRole]);
  const streams = {
    [owner.tenant]: ['Compressor outlet pressure', 'line-2-flow-rate-measured-at-the-metering-station'],
    [member.tenant]: ['Tank level'],
  };
  for (const [tenant, ids] of Object.entries(streams)) {
    const t = seeded.get(tenant).id;
    const ns = `/api/v1/Tenants/${t}/Namespaces/default`;
    await asScript(base, tenant, 'POST', `${ns}/Types/Level`, { Id: 'Level', SdsTypeCode: 'Object', Properties: [{ Id: 'Order', IsKey: true, SdsType: { SdsTypeCode: 'Int32' } }] });
    for (const id of ids) {
      const stream = `${ns}/Streams/${encodeURIComponent(id)}`;
      await asScript(base, tenant, 'POST', stream, { Id: id, TypeId: 'Level' });
      await asScript(base, tenant, 'PATCH', `${stream}/AccessControl`, [{ op: 'add', path: '/RoleTrusteeAccessControlEntries/-', value: { AccessRights: 1, AccessType: 0, Trustee: { Type: 'Role', ObjectId: memberRole } } }]);
    }
  }

  const ctx = await browser.newContext({ viewport: view.viewport, isMobile: !!view.isMobile, hasTouch: !!view.hasTouch });
  const page = await ctx.newPage();
  await page.goto(`${base}/login?next=/communities/${community.Id}`);
  await signIn(page, view, owner, 'tenants-tab-sign-in');
  await page.waitForURL(/\/communities\/[0-9a-f-]+$/);
  const mine = tenantRow(page, owner.tenant);
  await see(page, 'Compressor outlet pressure');
  assert.equal(await mine.locator('td[data-label="Shared streams"]').getAttribute('data-shared-count'), '2');
  assert.equal(await tenantRow(page, member.tenant).locator('li[data-stream]').count(), 1, "the member's share is in its row");
  await audit(page, view, 'tenants-tab-shares');

  await page.getByLabel('Contact email').fill(`data.team@${owner.tenant.toLowerCase()}.example`);
  await page.getByRole('button', { name: 'Save contact' }).click();
  await see(page, 'Contact saved; every member of the community sees it.');
  assert.equal(await mine.locator('td[data-label="Contact"] a').innerText(), `data.team@${owner.tenant.toLowerCase()}.example`);

  await mine.locator('li[data-stream="Compressor outlet pressure"]').getByRole('button', { name: /Unshare/ }).click();
  await see(page, "Stream 'Compressor outlet pressure' will no longer be visible");
  const confirm = page.locator('form button[data-confirm]');
  assert.match(await confirm.getAttribute('class') || '', /danger/, 'Unshare asks in the danger style');
  await audit(page, view, 'unshare-confirm');
  await confirm.click();
  await see(page, 'Stream no longer shared with the community.');
  assert.equal(await mine.locator('li[data-stream]').count(), 1, 'one share left');

  // The partner reads the stream still shared; the owner finds the read
  // on the Usage tab, charted and in the table, with its CSV.
  const lineFlow = streams[owner.tenant][1];
  const owned = `/api/v1/Tenants/${o.id}/Namespaces/default/Streams/${encodeURIComponent(lineFlow)}`;
  await asScript(base, owner.tenant, 'POST', `${owned}/Data`, [{ Order: 1 }, { Order: 2 }]);
  const partner = seeded.get(member.tenant).script;
  const read = await fetch(`${base}${owned}/Data?startIndex=0&endIndex=10`, {
    headers: { authorization: `Bearer ${await accessToken(base, partner.client_id, partner.client_secret)}`, 'community-id': community.Id },
  });
  assert.equal(read.status, 200, 'the partner reads through the community');
  const row = page.locator(`tr[data-stream="${lineFlow}"][data-reader="${member.tenant}"]`);
  for (let tries = 0; tries < 40 && (await row.count()) === 0; tries += 1) {
    await new Promise((ok) => setTimeout(ok, 250));
    await page.goto(`${base}/communities/${community.Id}?tab=usage`);
  }
  assert.equal(await row.count(), 1, "the partner's read is on the owner's Usage tab");
  assert.equal(await row.locator('td[data-label="Values read"]').innerText(), '2');
  assert.equal(await page.locator('figure.chart svg').count(), 2, 'a daily and a monthly chart');
  await audit(page, view, 'usage-tab');
  const csv = await page.request.get(`${base}${await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href')}`);
  assert.equal(csv.status(), 200);
  assert.match(await csv.text(), new RegExp(`,default,${lineFlow},1,2,0\r\n`));
  await ctx.close();
}

/**
 * Share streams from the portal: the sharer picks a stream on the
 * community's Share streams page, confirms, and the partner opens it from
 * the Tenants tab and looks at a window as a table and a chart. Its own
 * community, so the Tenants tab step's counts stay its own.
 */
async function portalSharing(browser, base, view) {
  const { sharer: owner, partner: member } = cast(view);
  const [o, m] = [seeded.get(owner.tenant), seeded.get(member.tenant)];
  const community = await asScript(base, owner.tenant, 'POST', `/api/v1-preview/tenants/${o.id}/communities`, { Name: `Shared from the portal ${owner.tenant}` });
  const communityPath = `/api/v1-preview/tenants/${o.id}/communities/${community.Id}`;
  const invitation = await asScript(base, owner.tenant, 'POST', `${communityPath}/invitations`, { InvitationRecipient: member.email });
  await asScript(base, member.tenant, 'PUT', `/api/v1-preview/communityinvitations/${invitation.Id}`, { Action: 'Accept' });
  await asScript(base, owner.tenant, 'PUT', `${communityPath}/communitytenants/${m.id}`, { Status: 'Active' });
  await asScript(base, member.tenant, 'PUT', `/api/v1-preview/tenants/${m.id}/communities/${community.Id}/Users/${m.adminUser}`, [community.MemberRoleId]);
  const ns = `/api/v1/Tenants/${o.id}/Namespaces/default`;
  await asScript(base, owner.tenant, 'POST', `${ns}/Types/Gauge`, { Id: 'Gauge', SdsTypeCode: 'Object', Properties: [
    { Id: 'Order', IsKey: true, SdsType: { SdsTypeCode: 'Int32' } },
    { Id: 'Pressure', SdsType: { SdsTypeCode: 'Double' } },
  ] });
  const stream = `${ns}/Streams/${encodeURIComponent('Portal gauge')}`;
  await asScript(base, owner.tenant, 'POST', stream, { Id: 'Portal gauge', TypeId: 'Gauge' });
  const values = Array.from({ length: 12 }, (_, i) => ({ Order: i + 1, Pressure: 2 + Math.sin(i / 2) }));
  await asScript(base, owner.tenant, 'POST', `${stream}/Data`, values);

  const ctx = await browser.newContext({ viewport: view.viewport, isMobile: !!view.isMobile, hasTouch: !!view.hasTouch });
  const page = await ctx.newPage();
  await page.goto(`${base}/login?next=/communities/${community.Id}`);
  await signIn(page, view, owner, 'portal-sharing-sign-in');
  await page.waitForURL(/\/communities\/[0-9a-f-]+$/);
  await page.getByRole('link', { name: 'Share streams' }).click();
  await see(page, 'Streams in namespace');
  await audit(page, view, 'share-streams-pick');
  await page.getByLabel('Portal gauge').check();
  await page.getByRole('button', { name: /Share selected streams/ }).click();
  await see(page, 'Share these streams?');
  await audit(page, view, 'share-streams-confirm');
  await page.locator('form button[data-confirm]').click();
  await see(page, 'Streams shared');
  await see(page, 'Portal gauge');

  const partnerCtx = await browser.newContext({ viewport: view.viewport, isMobile: !!view.isMobile, hasTouch: !!view.hasTouch });
  const partner = await partnerCtx.newPage();
  await partner.goto(`${base}/login?next=/communities/${community.Id}`);
  await signIn(partner, view, member, 'partner-view-sign-in');
  await partner.waitForURL(/\/communities\/[0-9a-f-]+$/);
  await tenantRow(partner, owner.tenant).getByRole('link', { name: 'Portal gauge' }).click();
  await see(partner, 'Latest values');
  await partner.getByLabel('Start index').fill('1');
  await partner.getByLabel('End index').fill('12');
  await partner.getByRole('button', { name: 'Show window' }).click();
  await see(partner, '12 values in the window');
  assert.equal(await partner.locator('svg polyline[data-series="Pressure"]').getAttribute('data-points'), '12', 'the chart draws every value');
  await audit(partner, view, 'partner-stream-window');

  // The owner finds the partner's read on its Usage tab, and both tenants
  // find the share in their audit logs.
  const used = page.locator(`tr[data-stream="Portal gauge"][data-reader="${member.tenant}"]`);
  for (let tries = 0; tries < 40 && (await used.count()) === 0; tries += 1) {
    await new Promise((ok) => setTimeout(ok, 250));
    await page.goto(`${base}/communities/${community.Id}?tab=usage`);
  }
  assert.equal(await used.count(), 1, "the partner's read is on the owner's Usage tab");
  assert.ok(Number(await used.locator('td[data-label="Values read"]').innerText()) >= 12, 'the window and the latest values were read');
  await audit(page, view, 'usage-after-portal-share');
  for (const [who, tab] of [['owner', page], ['partner', partner]]) {
    await tab.goto(`${base}/tenant/audit?kind=Share.Added`);
    const subjects = await tab.locator('td[data-label="Subject"]').allInnerTexts();
    assert.ok(subjects.some((s) => s.includes(community.Id)), `the share is in the ${who}'s audit log: ${subjects}`);
    await audit(tab, view, `audit-share-${who}`, { idsAllowed: true });
  }
  await ctx.close();
  await partnerCtx.close();
}

/**
 * The Audit log, after the Tenants tab step: the partner's administrator
 * finds, in its own tenant's log, the confirmation the owner made of its
 * membership, filters by kind, and downloads both exports.
 */
async function auditLog(browser, base, view) {
  const { partner: member } = cast(view);
  const ctx = await freshContext(browser, view);
  const page = await ctx.newPage();
  await page.goto(`${base}/login?next=/tenant`);
  await signIn(page, view, member, 'audit-sign-in');
  await page.waitForURL(/\/tenant$/);
  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.waitForURL(/\/tenant\/audit$/);
  // Newest first: by now the sign-ins and shares of later steps fill the
  // first page, so the handshake is found through the filter.
  assert.ok(await page.locator('td[data-label="Kind"]').count() > 0, 'the log has events');
  await audit(page, view, 'audit-log', { idsAllowed: true });
  await page.getByLabel('Kind').selectOption('Membership.Confirmed');
  await page.getByRole('button', { name: 'Show events' }).click();
  await page.waitForURL(/kind=Membership.Confirmed/);
  const kinds = await page.locator('td[data-label="Kind"]').allInnerTexts();
  assert.ok(kinds.length >= 1 && kinds.every((k) => k === 'Membership.Confirmed'), `only the kind asked for: ${kinds}`);
  await audit(page, view, 'audit-log-filtered', { idsAllowed: true });
  for (const [label, type] of [['Export CSV', 'text/csv'], ['Export JSON lines', 'application/jsonl']]) {
    const href = await page.getByRole('link', { name: label }).getAttribute('href');
    const res = await page.request.get(`${base}${href}`);
    assert.equal(res.status(), 200, `${label} downloads`);
    assert.ok(res.headers()['content-type'].startsWith(type), `${label} is ${type}`);
    assert.match(await res.text(), /Membership\.Confirmed/, `${label} holds the event`);
  }
  await ctx.close();
}

/**
 * The Users page: the inviter's Tenant Administrator invites a colleague,
 * the colleague reads the email, chooses a password through its link and
 * signs in; the last-administrator rule shows as a message; the colleague
 * is removed. Runs after the walk-through, as the inviter.
 */
async function inviteColleague(browser, base, view) {
  const who = cast(view).inviter;
  const colleague = { tenant: who.tenant, email: `colleague@${who.tenant.toLowerCase()}.example`, password: `${PASSWORD}-colleague` };
  const newPage = async () => {
    const ctx = await browser.newContext({ viewport: view.viewport, isMobile: !!view.isMobile, hasTouch: !!view.hasTouch });
    return [ctx, await ctx.newPage()];
  };
  const [adminCtx, page] = await newPage();
  await page.goto(`${base}/login`);
  await signIn(page, view, who, 'sign-in-users');
  await page.waitForURL(/\/communities$/);
  await page.getByRole('link', { name: 'Users', exact: true }).click();
  await page.waitForURL(/\/tenant\/users$/);
  await audit(page, view, 'users');

  await page.getByLabel('Email address').fill(colleague.email);
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await page.waitForURL(/\/tenant\/users$/);
  await see(page, 'Invitation queued for email');
  const row = page.locator(`tr[data-user="${colleague.email}"]`);
  assert.match(await row.innerText(), /Invitation sent/);
  await audit(page, view, 'users-invited');

  // The only administrator cannot drop the role: a message, not an error page.
  const mine = page.locator(`tr[data-user="${who.email}"]`);
  await mine.getByLabel('Tenant Administrator').uncheck();
  await mine.getByRole('button', { name: /Save roles/ }).click();
  await see(page, 'last Tenant Administrator');
  await audit(page, view, 'users-last-administrator');

  const mail = await waitForMail(to(colleague.email, 'You are invited'), `invitation email to ${colleague.email}`);
  // The walk-through renamed the tenant; the email names it as it is now.
  assert.match(mail.text, new RegExp(`An administrator of ${who.tenant}( Ltd)? invited you to sign in`));
  const link = linkIn(mail, '/password/');
  const [colleagueCtx, other] = await newPage();
  const res = await other.goto(link);
  assert.equal(res.status(), 200);
  assert.equal(res.headers()['referrer-policy'], 'no-referrer');
  await see(other, colleague.email);
  await audit(other, view, 'user-invitation-set-password');
  await other.getByLabel('New password', { exact: true }).fill(colleague.password);
  await other.getByLabel('New password again').fill(colleague.password);
  await other.getByRole('button', { name: 'Set password' }).click();
  await other.waitForURL(/\/login$/);
  await see(other, 'Password set.');
  await signIn(other, view, colleague, 'sign-in-colleague');
  await other.waitForURL(/\/communities$/);
  await colleagueCtx.close();

  await page.goto(`${base}/tenant/users`);
  assert.match(await row.innerText(), /Accepted/);
  await row.getByRole('button', { name: /Deactivate/ }).click();
  assert.match(await page.locator('h1').innerText(), /\?$/, 'a confirmation page asks first');
  await page.locator('form button[data-confirm]').click();
  await page.waitForURL(/\/tenant\/users$/);
  await see(page, 'User deactivated');
  assert.match(await row.innerText(), /Deactivated/);
  assert.equal(await row.getByRole('button', { name: /Reactivate/ }).count(), 1);
  await audit(page, view, 'users-deactivated');
  await row.getByRole('button', { name: /Remove/ }).click();
  assert.match(await page.locator('h1').innerText(), /\?$/, 'a confirmation page asks first');
  await audit(page, view, 'users-remove-confirm');
  await page.locator('form button[data-confirm]').click();
  await page.waitForURL(/\/tenant\/users$/);
  await see(page, 'User removed');
  assert.equal(await row.count(), 0, 'the colleague is gone');
  await audit(page, view, 'users-removed');
  await adminCtx.close();
}

/**
 * A community invitation to an address of no tenant: its recipient creates
 * their tenant through the link (sign-up is open to the invited), is signed
 * in and joins. Runs after the walk-through, as its inviter.
 */
async function newcomerSignsUp(browser, base, view) {
  const c = cast(view);
  const newcomer = { tenant: `Newco ${view.name}`, email: `ada@${view.name}.newco.example`, password: `${PASSWORD}-newco` };
  const newContext = () => browser.newContext({ viewport: view.viewport, isMobile: !!view.isMobile, hasTouch: !!view.hasTouch });
  const inviterCtx = await newContext();
  const a = await inviterCtx.newPage();
  await a.goto(`${base}/login?next=/communities`);
  await signIn(a, view, c.inviter, 'sign-in-signup-inviter');
  await a.waitForURL(/\/communities$/);
  // The walk-through deleted its community at the end: a new one invites.
  await a.getByLabel('Name', { exact: true }).fill(`Partners ${view.name}`);
  await a.getByRole('button', { name: 'Create community' }).click();
  await see(a, 'Community created.');
  await a.getByRole('link', { name: 'Invitations' }).click();
  await a.getByLabel(/Email of the other tenant/).fill(newcomer.email);
  await a.getByRole('button', { name: 'Invite Tenant' }).click();
  await see(a, 'Invitation queued for email');
  await inviterCtx.close();

  const mail = await waitForMail(to(newcomer.email), `invitation to ${newcomer.email}`);
  const ctx = await newContext();
  const page = await ctx.newPage();
  await page.goto(linkIn(mail, '/invitations/'));
  await page.waitForURL(/\/login\?next=/);
  await see(page, 'The invited address has no account on this service yet.');
  await audit(page, view, 'signup-offered');
  await page.getByRole('link', { name: 'create its tenant' }).click();
  await page.waitForURL(/\/signup$/);
  await see(page, newcomer.email);
  await audit(page, view, 'signup');
  await page.getByLabel('Company name').fill(newcomer.tenant);
  await page.getByLabel('New password', { exact: true }).fill(newcomer.password);
  await page.getByLabel('New password again').fill(newcomer.password);
  await page.getByRole('button', { name: 'Create tenant' }).click();
  await page.waitForURL(/\/invitations\/[^/]+$/);
  await see(page, 'Join community');
  await audit(page, view, 'signup-join', { idsAllowed: true });
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  await page.waitForURL(/\/communities$/);
  await ctx.close();
}

/**
 * Trusted partners: the owner's administrator lists the partner's domain
 * with automatic confirmation on the Edit community page; an invitation
 * elsewhere is refused, saying why; the partner accepts the one sent to
 * its domain and is Active with no confirm step. Its own community, after
 * the other steps that use these two tenants.
 */
async function trustedPartners(browser, base, view) {
  const { sharer: owner, partner: member } = cast(view);
  const [o, m] = [seeded.get(owner.tenant), seeded.get(member.tenant)];
  const community = await asScript(base, owner.tenant, 'POST', `/api/v1-preview/tenants/${o.id}/communities`, { Name: `Trusted partners ${owner.tenant}` });
  const communityPath = `/api/v1-preview/tenants/${o.id}/communities/${community.Id}`;
  const roleId = (name) => community.CommunityRoles.find((r) => r.Name.endsWith(name)).Id;
  await asScript(base, owner.tenant, 'PUT', `${communityPath}/Users/${o.adminUser}`,
    [roleId('Community Member'), roleId('Community Administrator')]);
  const domain = `${member.tenant.toLowerCase()}.example`;

  const ctx = await browser.newContext({ viewport: view.viewport, isMobile: !!view.isMobile, hasTouch: !!view.hasTouch });
  const page = await ctx.newPage();
  await page.goto(`${base}/login?next=/communities/${community.Id}/edit`);
  await signIn(page, view, owner, 'trusted-sign-in');
  await page.waitForURL(/\/edit$/);
  await page.getByLabel('Allowed domains').fill(`${domain}\nnot-a-domain`);
  await page.getByRole('button', { name: 'Save trusted partners' }).click();
  await see(page, "'not-a-domain' is not a domain");
  await audit(page, view, 'trusted-refused');
  await page.getByLabel('Allowed domains').fill(domain.toUpperCase());
  await page.getByLabel('Confirm tenants joining from these domains automatically').check();
  await page.getByRole('button', { name: 'Save trusted partners' }).click();
  await see(page, 'Trusted partners saved');
  assert.equal(await page.locator('[data-trusted-domains]').getAttribute('data-trusted-domains'), domain);
  await see(page, 'confirmed automatically');
  await see(page, `Set by ${owner.email}`);
  await audit(page, view, 'trusted-shown');

  await page.goto(`${base}/communities/${community.Id}?tab=invitations`);
  await page.getByLabel(/Email of the other tenant/).fill('someone@elsewhere.example');
  await page.getByRole('button', { name: 'Invite Tenant' }).click();
  await see(page, `invites only addresses at ${domain}`);
  await audit(page, view, 'trusted-invite-refused');
  await page.goto(`${base}/communities/${community.Id}?tab=invitations`);
  await page.getByLabel(/Email of the other tenant/).fill(member.email);
  await page.getByRole('button', { name: 'Invite Tenant' }).click();
  await page.locator(`tr[data-recipient="${member.email}"]`).waitFor();
  const [invitation] = await asScript(base, owner.tenant, 'GET', `${communityPath}/invitations`);
  const answered = await asScript(base, member.tenant, 'PUT', `/api/v1-preview/communityinvitations/${invitation.Id}`, { Action: 'Accept' });
  assert.equal(answered.State, 'InvitationCompleted', 'confirmed as it was accepted');
  await page.goto(`${base}/communities/${community.Id}`);
  assert.equal(await tenantRow(page, member.tenant).locator('td[data-label="Status"]').innerText(), 'Sharing Active');
  await audit(page, view, 'trusted-partner-active');
  await waitForMail(to(member.email, 'now a member'), 'the partner is told it is a member');
  await ctx.close();
}

// ---- signing in through the tenant's identity provider -------------------

const IDP_NAME = 'Contoso ID';
/** The tenant the provider is added to: the desktop walk's inviter. */
const IDP_TENANT = () => cast(VIEWS[0]).inviter;

/** Its administrator adds the provider on Tenant settings -> Sign-in. */
async function addProvider(browser, base, issuer) {
  const view = VIEWS[0];
  const admin = IDP_TENANT();
  const ctx = await browser.newContext({ viewport: view.viewport });
  const page = await ctx.newPage();
  await page.goto(`${base}/login?next=/tenant/sign-in`);
  await signIn(page, view, admin, 'sign-in-providers-login');
  await page.waitForURL(/\/tenant\/sign-in$/);
  await see(page, 'No identity provider yet');
  await audit(page, view, 'sign-in-providers');
  await page.getByLabel('Name', { exact: true }).fill(IDP_NAME);
  await page.getByLabel('Issuer URL').fill(issuer);
  await page.getByLabel('Client ID').fill('communityd-e2e');
  await page.getByLabel('Client secret').fill('e2e-client-secret-not-shown');
  await page.getByLabel('Email domains').fill('contoso.example');
  await page.getByLabel(/Create users it vouches for/).check();
  await page.getByLabel('Groups claim (optional)').fill('groups');
  await page.getByLabel('Group 1', { exact: true }).fill('stewards');
  await page.getByLabel('Role for group 1').selectOption({ label: 'Tenant Member' });
  await page.getByRole('button', { name: 'Add identity provider' }).click();
  await see(page, 'Identity provider added');
  const listed = await page.locator(`article[data-provider="${IDP_NAME}"]`).innerText();
  assert.match(listed, /contoso\.example/);
  assert.match(listed, /stewards: Tenant Member/);
  assert.ok(!(await page.content()).includes('e2e-client-secret-not-shown'), 'the secret is never shown');
  await audit(page, view, 'sign-in-provider-added');
  await ctx.close();
}

/**
 * From the login page (or wherever `page` is) through the tenant step and
 * "Sign in with" to the provider, which vouches for `sub`.
 */
async function throughProvider(page, view, issuer, sub, shotName) {
  await page.getByLabel('Tenant name').fill(IDP_TENANT().tenant);
  await page.getByRole('button', { name: 'Continue' }).click();
  const button = page.getByRole('button', { name: `Sign in with ${IDP_NAME}` });
  await button.waitFor();
  await audit(page, view, shotName);
  await button.click();
  // The provider's page is not ours: no audit there.
  await page.waitForURL((url) => url.href.startsWith(issuer));
  await page.locator('input[name="sub"]').fill(sub);
  await page.getByRole('button', { name: 'Authorize' }).click();
}

/** A fresh browser, its provider's stylesheet (from a CDN) left out. */
async function freshContext(browser, view) {
  const ctx = await browser.newContext({ viewport: view.viewport, isMobile: !!view.isMobile, hasTouch: !!view.hasTouch });
  await ctx.route('https://cdn.jsdelivr.net/**', (r) => r.abort());
  return ctx;
}

/** Someone the tenant does not know yet signs in through the provider. */
async function providerSignIn(browser, base, view, issuer) {
  const email = `ada.${view.name}@contoso.example`;
  const sub = `ada-${view.name}`;
  await setIdpUser(issuer, sub, { email, email_verified: true, groups: ['stewards'] });
  const ctx = await freshContext(browser, view);
  const page = await ctx.newPage();
  await page.goto(`${base}/login`);
  await throughProvider(page, view, issuer, sub, 'login-provider');
  await page.waitForURL(/\/communities$/);
  assert.equal(await page.locator('.who .email').innerText(), email, 'signed in as the provider\'s user');
  await audit(page, view, 'provider-signed-in');
  await ctx.close();
}

/**
 * VIEW COMMUNITY INVITE followed signed out, signed in through the
 * provider: back on that invitation.
 */
async function invitationThroughProvider(browser, base, issuer) {
  const view = VIEWS[0];
  const inviter = cast(view).invitee;
  const community = 'Provider Round Trip';
  const recipient = IDP_TENANT();
  const inviterCtx = await browser.newContext({ viewport: view.viewport });
  const a = await inviterCtx.newPage();
  await a.goto(`${base}/login?next=/communities`);
  await signIn(a, view, inviter, 'sign-in-round-trip-inviter');
  await a.waitForURL(/\/communities$/);
  await a.getByLabel('Name', { exact: true }).fill(community);
  await a.getByRole('button', { name: 'Create community' }).click();
  await see(a, 'Community created.');
  await a.getByRole('link', { name: 'Invitations' }).click();
  await a.getByLabel(/Email of the other tenant/).fill(recipient.email);
  await a.getByRole('button', { name: 'Invite Tenant' }).click();
  await see(a, 'Invitation queued for email');
  await inviterCtx.close();

  const mail = await waitForMail(to(recipient.email, community), `invitation to ${recipient.email}`);
  assert.ok(/VIEW COMMUNITY INVITE/i.test(mail.html), 'the HTML has the VIEW COMMUNITY INVITE button');
  const link = linkIn(mail, '/invitations/');
  await setIdpUser(issuer, 'contoso-admin', { email: recipient.email, email_verified: true });
  const ctx = await freshContext(browser, view);
  const page = await ctx.newPage();
  await page.goto(link);
  await page.waitForURL(/\/login\?next=/);
  await see(page, `${inviter.tenant} invited your tenant to join the community ${community}`);
  await throughProvider(page, view, issuer, 'contoso-admin', 'login-provider-invitation');
  await page.waitForURL(/\/invitations\/[^/]+$/);
  assert.equal(page.url(), link, 'back on the invitation the link opened');
  // The walk renamed the tenant ("Contoso Ltd"); its sign-in name stays.
  await see(page, `is about to join the community ${community}`);
  await audit(page, view, 'provider-invitation-landing');
  await ctx.close();
}

/** Every bold phrase of the README's walk-through and page list is on a page. */
/** The tenants of the incoming invitations and bulk invite step, per view. */
function incomingCast(view) {
  const [host, guest] = (view.name === 'desktop' ? ['Alpine Ski', 'Blue Yonder'] : ['Coho Winery', 'Relecloud'])
    .map((n) => ({ tenant: n, email: `admin@${n.toLowerCase().replace(' ', '-')}.example`, password: PASSWORD }));
  return { host, guest, community: `Joint Data ${host.tenant}` };
}

function seedIncoming(dataDir, view) {
  const { host, guest } = incomingCast(view);
  for (const t of [host, guest]) {
    cli(dataDir, ['tenant', 'create', '--name', t.tenant, '--admin-email', t.email, '--admin-password', t.password]);
  }
}

/**
 * Bulk invite by pasting addresses (one per result row), then the invited
 * tenant finds the invitation on its own Communities page and joins from
 * there, without the email's link.
 */
async function incomingAndBulk(browser, base, view) {
  const { host, guest, community } = incomingCast(view);
  const ctx = () => browser.newContext({ viewport: view.viewport, isMobile: !!view.isMobile, hasTouch: !!view.hasTouch });
  const hostCtx = await ctx();
  const h = await hostCtx.newPage();
  await h.goto(`${base}/login`);
  await signIn(h, view, host, 'sign-in-bulk-host');
  await h.waitForURL(/\/communities$/);
  await h.getByLabel('Name', { exact: true }).fill(community);
  await h.getByRole('button', { name: 'Create community' }).click();
  await see(h, 'Community created.');
  await h.getByRole('link', { name: 'Invitations' }).click();
  await h.getByText('Invite several tenants').click();
  const newcomer = `new.partner@${host.tenant.toLowerCase().replace(' ', '-')}-partner.example`;
  await h.getByLabel(/Email addresses, one per line/).fill(`${guest.email}\n${newcomer}; ${newcomer.toUpperCase()}\nnot-an-address`);
  await audit(h, view, 'bulk-invite-form');
  await h.getByRole('button', { name: 'Send invitations' }).click();
  await see(h, 'Invitations sent: 2 of 3');
  const result = (address) => h.locator(`tr[data-recipient="${address}"]`).getAttribute('data-result');
  assert.equal(await result(guest.email), 'Sent');
  assert.equal(await result(newcomer), 'Sent', 'an address listed twice is sent once');
  assert.equal(await result('not-an-address'), 'Invalid');
  await audit(h, view, 'bulk-invite-results');
  await hostCtx.close();

  const guestCtx = await ctx();
  const g = await guestCtx.newPage();
  await g.goto(`${base}/login`);
  await signIn(g, view, guest, 'sign-in-bulk-guest');
  await g.waitForURL(/\/communities$/);
  await see(g, 'Invitations to your tenant');
  const row = g.locator(`tr[data-incoming="${community}"]`);
  assert.match(await row.innerText(), new RegExp(host.tenant), 'who invites');
  await audit(g, view, 'incoming-invitations');
  await row.getByRole('button', { name: /^Join/ }).click();
  await g.waitForURL(/\/communities$/);
  await see(g, 'You joined.');
  await see(g, `Awaiting confirmation by ${host.tenant}`);
  assert.equal(await row.count(), 0, 'answered, no longer listed');
  await audit(g, view, 'incoming-joined');
  await guestCtx.close();
}

async function readmeMatches() {
  const sections = ['## The handshake by hand', '## Portal pages'].map((h) => {
    const start = README.indexOf(h);
    assert.ok(start >= 0, `README has "${h}"`);
    const end = README.indexOf('\n## ', start + h.length);
    return README.slice(start, end < 0 ? undefined : end);
  });
  const quoted = [...sections.join('\n').matchAll(/\*\*([^*]+)\*\*/g)].map((m) => m[1]);
  assert.ok(quoted.length > 10, 'the README quotes the pages');
  const pages = seenText.join('\n') + mails.map((m) => m.html || '').join('\n');
  const missing = quoted.filter((q) => !pages.includes(q));
  assert.deepEqual(missing, [], 'every word the README quotes appears on a page or in an email');
}

async function main() {
  if (!existsSync(BIN)) throw new Error(`no communityd binary at ${BIN} (set COMMUNITYD_BIN)`);
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  const started = Date.now();
  const smtp = await startSmtp();
  const dataDir = mkdtempSync(join(tmpdir(), 'communityd-e2e-'));
  for (const view of VIEWS) seed(dataDir, cast(view));
  for (const view of VIEWS) seedIncoming(dataDir, view);
  // The provider starts (and its venv is made) while the rest runs.
  const idpStarted = startIdp();
  idpStarted.catch(() => {});
  const base = await startServer(dataDir, smtp.server.address().port);
  const profile = mkdtempSync(join(tmpdir(), 'communityd-e2e-chromium-'));
  // Playwright gives launch() its own fresh profile; `profile` only keeps
  // crash dumps and caches out of $HOME.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      `--crash-dumps-dir=${profile}`],
  });
  const tests = [];
  for (const view of VIEWS) {
    tests.push([`walk-through at ${view.name} width (${view.viewport.width} px)`, () => walkThrough(browser, base, view)]);
    tests.push([`invalid link shows the generic page (${view.name})`, () => invalidLink(browser, base, view)]);
    tests.push([`forgot password and change password (${view.name})`, () => forgotPassword(browser, base, view)]);
    tests.push([`a client made in the portal gets a token (${view.name})`, () => clientsPage(browser, base, view)]);
    tests.push([`a custom role with Share lets its holder share a stream (${view.name})`, () => customRoleShares(browser, base, view)]);
    tests.push([`invite a colleague from the Users page (${view.name})`, () => inviteColleague(browser, base, view)]);
    tests.push([`a newcomer creates their tenant from an invitation (${view.name})`, () => newcomerSignsUp(browser, base, view)]);
    tests.push([`the Tenants tab shows members' shares and contacts, the Usage tab a partner's read (${view.name})`, () => tenantsTab(browser, base, view)]);
    tests.push([`a stream shared from the portal is read on the partner's page (${view.name})`, () => portalSharing(browser, base, view)]);
    tests.push([`a member finds the owner's changes in its audit log (${view.name})`, () => auditLog(browser, base, view)]);
    tests.push([`a partner from a trusted domain is Active as it accepts (${view.name})`, () => trustedPartners(browser, base, view)]);
    tests.push([`a tenant joins from its Communities page after a bulk invite (${view.name})`, () => incomingAndBulk(browser, base, view)]);
    tests.push([`webhooks registered, logged, disabled and deleted on the Webhooks page (${view.name})`, () => webhooksPage(browser, base, view)]);
  }
  tests.push([`an administrator adds an identity provider on the Sign-in page (${VIEWS[0].name})`,
    async () => addProvider(browser, base, await idpStarted)]);
  for (const view of VIEWS) {
    tests.push([`a new user signs in through the identity provider (${view.name})`,
      async () => providerSignIn(browser, base, view, await idpStarted)]);
  }
  tests.push([`an invitation survives the trip through the identity provider (${VIEWS[0].name})`,
    async () => invitationThroughProvider(browser, base, await idpStarted)]);
  tests.push(['every email fits a 390 px phone', () => emailsFitAPhone(browser)]);
  tests.push(['the README quotes the pages word for word', readmeMatches]);
  let passed = 0;
  let failed = 0;
  for (const [name, test] of tests) {
    try {
      await test();
      passed += 1;
      console.log(`ok - ${name}`);
    } catch (e) {
      failed += 1;
      console.log(`not ok - ${name}\n${e.stack || e}`);
    }
  }
  await browser.close();
  stopServer();
  stopIdp();
  smtp.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
  console.log(`e2e: ${passed} passed, ${failed} failed, ${shot} pages checked (${((Date.now() - started) / 1000).toFixed(1)}s)`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e.stack || e);
  console.log('e2e: 0 passed, 1 failed');
  stopServer();
  process.exit(1);
});
