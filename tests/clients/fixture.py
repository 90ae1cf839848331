"""The tenants run.sh made for this script, and library clients for them.

run.sh creates Contoso and Fabrikam, each with a Tenant Administrator user
and client, with the operator CLI, and passes them in COMMUNITYD_FIXTURE;
the server's base URL comes in COMMUNITYD_URL.
"""
import json
import os


class Tenant:
    def __init__(self, entry):
        self.id = entry['tenant']['tenant_id']
        self.name = entry['tenant']['tenant_name']
        self.admin_email = entry['tenant']['admin_email']
        self.admin_user_id = entry['tenant']['admin_user_id']
        self.client_id = entry['client']['client_id']
        self.client_secret = entry['client']['client_secret']


def url():
    return os.environ['COMMUNITYD_URL'].rstrip('/')


def tenants():
    """(Contoso, Fabrikam)"""
    with open(os.environ['COMMUNITYD_FIXTURE']) as f:
        entries = json.load(f)['tenants']
    return tuple(Tenant(e) for e in entries)


def check(condition, message):
    """A failed expectation about an answer the library accepted."""
    if not condition:
        raise AssertionError(message)
