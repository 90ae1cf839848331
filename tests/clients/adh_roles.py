"""AVEVA Data Hub's Python library (adh-sample-library-preview): its Roles
calls against communityd, custom roles included (see role_management.py)."""
import adh_sample_library_preview as lib

import fixture
import role_management

contoso, _ = fixture.tenants()
client = lib.ADHClient('v1', contoso.id, fixture.url(), contoso.client_id, contoso.client_secret)
role_management.exercise(lib, client, contoso)
print('adh-sample-library-preview: every Roles call succeeded')
