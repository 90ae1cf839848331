"""Interactive sign-in as AVEVA's Python libraries do it, for
adh_authorization_code.py and ocs_authorization_code.py.

Given a client id and no secret, the libraries' Authentication runs the
authorization code flow with PKCE itself: it reads the discovery document,
listens on localhost:5004, opens a web browser (Python's `webbrowser`) at
the authorization endpoint with redirect_uri
http://localhost:5004/callback.html, takes the code from the one request
its listener answers, and trades it with its verifier at the token
endpoint. The library's own code runs unchanged; only the person at the
browser is played here: a browser registered with `webbrowser` that signs
in through the portal's login form (a cookie jar, as a person's browser
would keep) and follows the redirects to the library's listener.

The Tenant Administrator's client registers the application first
(AuthorizationCodeClients); the token the library gets must be the
signed-in user's.
"""
import base64
import json
import os
import re
import sys
import threading
import webbrowser
from urllib.parse import parse_qs, urlparse

import requests

import fixture
from fixture import check

REDIRECT = 'http://localhost:5004/callback.html'
PASSWORD = 'correct horse battery'


def register_application(tenant):
    """The tenant's administrator client registers the library as an
    authorization code client; returns its client id."""
    base = fixture.url()
    token = requests.post(f'{base}/identity/connect/token', data={
        'grant_type': 'client_credentials',
        'client_id': tenant.client_id,
        'client_secret': tenant.client_secret,
    }).json()['access_token']
    r = requests.post(
        f'{base}/api/v1/Tenants/{tenant.id}/AuthorizationCodeClients',
        headers={'Authorization': f'Bearer {token}'},
        json={'Name': 'Python notebook', 'RedirectUris': [REDIRECT]})
    check(r.status_code == 201, f'registering the application: {r.status_code} {r.text}')
    return r.json()['ClientId']


def hidden(html, name):
    found = re.search(f'name="{name}" value="([^"]*)"', html)
    check(found is not None, f'no hidden field {name} in the page')
    return found.group(1)


class PersonAtTheBrowser(webbrowser.BaseBrowser):
    """Signs `tenant`'s administrator in when the library opens a URL."""

    def __init__(self, tenant):
        super().__init__('communityd-person')
        self.tenant = tenant
        self.visited = []

    def open(self, url, new=0, autoraise=True):
        # The library waits on its listener right after this returns, so
        # the person works in the background, as a real one would.
        threading.Thread(target=self.sign_in, args=(url,), daemon=True).start()
        return True

    def sign_in(self, url):
        try:
            self.walk(url)
        except Exception as error:
            # The library would wait for its listener for ever: stop here.
            give_up(f'the browser failed: {error!r}')

    def walk(self, url):
        base = fixture.url()
        s = requests.Session()
        r = s.get(url, allow_redirects=False)
        check(r.status_code == 303, f'not signed in: to the login page, got {r.status_code}')
        login = r.headers['Location']
        check(login.startswith('/login?next='), f'to the login page: {login}')
        page = s.get(base + login).text
        csrf = hidden(page, 'login_csrf')
        next_ = parse_qs(urlparse(login).query)['next'][0]
        step2 = s.post(f'{base}/login', data={
            'login_csrf': csrf, 'next': next_, 'tenant': self.tenant.name})
        check(step2.status_code == 200, f'the tenant step: {step2.status_code}')
        r = s.post(f'{base}/login', data={
            'login_csrf': csrf, 'next': next_,
            'tenant_id': hidden(step2.text, 'tenant_id'),
            'email': self.tenant.admin_email, 'password': PASSWORD,
        }, allow_redirects=False)
        check(r.status_code == 303, f'signing in: {r.status_code}')
        back = r.headers['Location']
        check(back.startswith('/identity/connect/authorize?'), f'back to authorize: {back}')
        r = s.get(base + back, allow_redirects=False)
        check(r.status_code == 302, f'signed in: a redirect with the code, got {r.status_code}')
        target = r.headers['Location']
        check(target.startswith(REDIRECT + '?code='), f'to the registered URI: {target}')
        self.visited.append(target)
        # The library's listener answers this one request.
        s.get(target)


def give_up(why):
    print(why, file=sys.stderr, flush=True)
    os._exit(1)


def subject(access_token):
    payload = access_token.split('.')[1]
    payload += '=' * (-len(payload) % 4)
    return json.loads(base64.urlsafe_b64decode(payload))['sub']


def exercise(make_client, token_of, tenant):
    """`make_client(client_id)` builds the library's client with no secret;
    `token_of(client)` is the token the library holds."""
    watchdog = threading.Timer(60, give_up, args=('no sign-in within 60 seconds',))
    watchdog.daemon = True
    watchdog.start()
    application = register_application(tenant)
    person = PersonAtTheBrowser(tenant)
    webbrowser.register('communityd-person', None, person, preferred=True)
    client = make_client(application)
    users = client.Users.getUsers()
    check(any(u.Id == tenant.admin_user_id for u in users), 'the user list, read with the user token')
    watchdog.cancel()
    check(len(person.visited) == 1, f'one code sent back: {person.visited}')
    token = token_of(client)
    check(subject(token) == tenant.admin_user_id,
          f'the token acts as the signed-in user, not a client: {subject(token)}')
