"""AVEVA Data Hub's Python library (adh-sample-library-preview): its own
interactive sign-in (authorization code with PKCE) against communityd (see
authorization_code.py)."""
import adh_sample_library_preview as lib

import authorization_code
import fixture

contoso, _ = fixture.tenants()
authorization_code.exercise(
    lambda client_id: lib.ADHClient('v1', contoso.id, fixture.url(), client_id),
    lambda client: client._ADHClient__base_client._getToken(),
    contoso)
print('adh-sample-library-preview: signed in with the authorization code flow')
