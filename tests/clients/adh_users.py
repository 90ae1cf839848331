"""AVEVA Data Hub's Python library (adh-sample-library-preview): its Users
and user invitation calls against communityd (see user_management.py)."""
import adh_sample_library_preview as lib

import fixture
import user_management

contoso, _ = fixture.tenants()
client = lib.ADHClient('v1', contoso.id, fixture.url(), contoso.client_id, contoso.client_secret)
user_management.exercise(lib, client, contoso)
print('adh-sample-library-preview: every Users call succeeded')
