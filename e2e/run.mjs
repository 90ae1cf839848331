// End-to-end test of the portal handshake in headless Chromium, against the
// real communityd binary and a real SMTP capture on loopback.
//
//   COMMUNITYD_BIN=/path/to/communityd node run.mjs
//
// Prints one line per test and a final "e2e: N passed, M failed"; exits
// non-zero on any failure. Screenshots go to e2e/artifacts/NN-name.png.

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = resolve(process.env.COMMUNITYD_BIN || join(here, '../target/release/communityd'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = join(here, 'artifacts');
const COMMUNITY = 'Plant Data E2E';
const CONTOSO = { tenant: 'Contoso', email: 'admin@contoso.example', password: 'contoso-e2e-password-1' };
const FABRIKAM = { tenant: 'Fabrikam', email: 'admin@fabrikam.example', password: 'fabrikam-e2e-password-1' };

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

const to = (address) => (m) => (m.to?.value || []).some((a) => a.address === address);

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
process.on('exit', stopServer);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { stopServer(); process.exit(130); });

function createTenant(dataDir, t) {
  const out = execFileSync(BIN, ['--data-dir', dataDir, 'tenant', 'create', '--name', t.tenant,
    '--admin-email', t.email, '--admin-password', t.password], { encoding: 'utf8' });
  return JSON.parse(out);
}

function startServer(dataDir, smtpPort) {
  server = spawn(BIN, ['--data-dir', dataDir, 'serve', '--bind', '127.0.0.1:0'], {
    env: { ...process.env, COMMUNITYD_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, COMMUNITYD_MAIL_RETRY_BASE: '200ms', RUST_LOG: 'warn' },
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

// ---- browser helpers ------------------------------------------------------

let shot = 0;
async function snap(page, name) {
  shot += 1;
  const file = join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
}

async function see(page, text) {
  await page.getByText(text, { exact: false }).first().waitFor({ state: 'visible', timeout: 10000 });
}

async function login(page, who) {
  await page.getByLabel('Tenant name').fill(who.tenant);
  await snap(page, `login-tenant-${who.tenant.toLowerCase()}`);
  await page.getByRole('button', { name: 'Continue' }).click();
  await see(page, `Tenant: ${who.tenant}`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await snap(page, `login-credentials-${who.tenant.toLowerCase()}`);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

function tenantRow(page, name) {
  return page.locator(`tr[data-tenant="${name}"]`);
}

/** More Options -> action -> the confirmation page -> confirm again. */
async function tenantAction(page, tenant, label, shotName) {
  const row = tenantRow(page, tenant);
  await row.getByText('More Options').click();
  await row.getByRole('button', { name: label }).click();
  await see(page, `${label.split(' ')[0]}`);
  assert.match(await page.locator('h1').innerText(), /\?$/, 'a confirmation page asks first');
  await snap(page, `${shotName}-confirm`);
  await page.locator('form button.primary').click();
  await page.waitForURL(/\/communities\/[0-9a-f-]+$/);
}

// ---- the tests ------------------------------------------------------------

async function handshake(browser, base) {
  const inviter = await browser.newContext();
  const a = await inviter.newPage();

  const first = await a.goto(`${base}/communities`);
  assert.equal(first.headers()['referrer-policy'], 'no-referrer');
  assert.equal(first.headers()['x-frame-options'], 'DENY');
  await see(a, 'Sign in');
  await login(a, CONTOSO);
  await see(a, 'Create community');
  await see(a, CONTOSO.email);
  await snap(a, 'communities-empty');

  await a.getByLabel('Name', { exact: true }).fill(COMMUNITY);
  await a.getByRole('button', { name: 'Create community' }).click();
  await see(a, 'Community created.');
  await see(a, 'Sharing Active');
  await snap(a, 'community-created');
  const communityUrl = a.url().replace(/\?.*$/, '');

  await a.getByRole('link', { name: 'Invitations' }).click();
  await a.getByLabel(/Email of the other tenant/).fill(FABRIKAM.email);
  await a.getByRole('button', { name: 'Invite Tenant' }).click();
  await see(a, 'Invitation sent.');
  await see(a, 'Invitation Pending');
  await snap(a, 'invitation-pending');

  const invite = await waitForMail(to(FABRIKAM.email), 'invitation to Fabrikam');
  assert.ok(invite.subject.includes(COMMUNITY), `subject names the community: ${invite.subject}`);
  assert.ok(invite.text && invite.text.length > 0, 'the email has a text part');
  assert.ok(invite.html && invite.html.length > 0, 'the email has an HTML part');
  assert.ok(/VIEW COMMUNITY INVITE/i.test(invite.html), 'the HTML has the VIEW COMMUNITY INVITE button');
  const inviteLink = linkIn(invite, '/invitations/');

  // The delivery status shows on the Invitations tab once sent.
  await a.reload();
  await see(a, 'sent ');

  // The invitee, in a fresh browser context, follows the link.
  const invitee = await browser.newContext();
  const b = await invitee.newPage();
  const landing = await b.goto(inviteLink);
  assert.equal(landing.headers()['referrer-policy'], 'no-referrer');
  assert.match(b.url(), /\/login\?next=/, 'an anonymous visitor is sent to log in');
  await login(b, FABRIKAM);
  await b.waitForURL(/\/invitations\//);
  await see(b, `Your tenant ${FABRIKAM.tenant} is about to join the community ${COMMUNITY}`);
  await see(b, `invited by ${CONTOSO.tenant}`);
  await snap(b, 'invitation-landing');

  // Opening the link (twice) changed nothing: still pending for the inviter.
  await b.goto(inviteLink);
  await see(b, 'Join');
  await a.reload();
  await see(a, 'Invitation Pending');
  assert.equal(await a.getByText('Invitation Accepted').count(), 0, 'a GET of the link does not accept');

  await b.getByRole('button', { name: 'Join' }).click();
  await see(b, `Joined — awaiting confirmation by ${CONTOSO.tenant}`);
  await snap(b, 'joined');

  const pending = await waitForMail(to(CONTOSO.email), 'pending confirmation to Contoso');
  assert.ok(/VIEW PENDING INVITATIONS/i.test(pending.html), 'the HTML has the VIEW PENDING INVITATIONS button');
  assert.ok(pending.text && pending.text.length > 0, 'the pending email has a text part');
  await a.goto(linkIn(pending, '/pending/'));
  await a.waitForURL(/tab=invitations/);
  await see(a, 'Invitation Accepted');
  assert.equal(await a.locator('tbody tr').first().getAttribute('data-state'), 'InvitationAccepted',
    'accepted invitations are listed first');
  await snap(a, 'invitations-accepted');

  await a.locator('tr[data-state="InvitationAccepted"] a').first().click();
  await see(a, 'Accepted by tenant');
  await see(a, FABRIKAM.tenant);
  await see(a, FABRIKAM.email);
  await snap(a, 'invitation-details');
  await a.getByRole('button', { name: 'Confirm Tenant' }).click();
  await see(a, 'Confirm Tenant?');
  await snap(a, 'confirm-tenant-dialog');
  await a.locator('form button.primary').click();
  await a.waitForURL(/\/communities\/[0-9a-f-]+$/);
  await see(a, 'Tenant confirmed');
  assert.match(await tenantRow(a, FABRIKAM.tenant).innerText(), /Sharing Active/);
  await snap(a, 'fabrikam-active');

  await tenantAction(a, FABRIKAM.tenant, 'Pause sharing', 'pause');
  assert.match(await tenantRow(a, FABRIKAM.tenant).innerText(), /Sharing Paused/);
  await snap(a, 'fabrikam-paused');

  await tenantAction(a, FABRIKAM.tenant, 'Resume sharing', 'resume');
  assert.match(await tenantRow(a, FABRIKAM.tenant).innerText(), /Sharing Active/);
  await snap(a, 'fabrikam-resumed');

  await tenantAction(a, FABRIKAM.tenant, 'Remove Tenant', 'remove');
  await see(a, 'Tenant removed from the community.');
  assert.equal(await tenantRow(a, FABRIKAM.tenant).count(), 0, 'Fabrikam is gone');
  assert.equal(a.url(), communityUrl);
  await snap(a, 'fabrikam-removed');

  // The used invitation link, opened again by Fabrikam, explains itself.
  await b.goto(inviteLink);
  await see(b, 'already answered');
  await snap(b, 'invitation-already-answered');

  await inviter.close();
  await invitee.close();
}

async function invalidLink(browser, base) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const res = await page.goto(`${base}/invitations/not-a-real-token`);
  assert.equal(res.status(), 404);
  assert.equal(res.headers()['referrer-policy'], 'no-referrer');
  await see(page, 'This invitation link is invalid or has expired');
  await snap(page, 'invalid-link-public');
  await ctx.close();
}

async function main() {
  if (!existsSync(BIN)) throw new Error(`no communityd binary at ${BIN} (set COMMUNITYD_BIN)`);
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  const started = Date.now();
  const smtp = await startSmtp();
  const dataDir = mkdtempSync(join(tmpdir(), 'communityd-e2e-'));
  createTenant(dataDir, CONTOSO);
  createTenant(dataDir, FABRIKAM);
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
  let passed = 0;
  let failed = 0;
  for (const [name, test] of [['invite, join, confirm, pause, resume, remove', handshake], ['invalid link shows the generic page', invalidLink]]) {
    try {
      await test(browser, base);
      passed += 1;
      console.log(`ok - ${name}`);
    } catch (e) {
      failed += 1;
      console.log(`not ok - ${name}\n${e.stack || e}`);
    }
  }
  await browser.close();
  stopServer();
  smtp.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
  console.log(`e2e: ${passed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)}s)`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e.stack || e);
  console.log('e2e: 0 passed, 1 failed');
  stopServer();
  process.exit(1);
});
