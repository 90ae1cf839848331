"""The OCS-era Python library (ocs-sample-library-preview): its Roles calls
against communityd, custom roles included (see role_management.py)."""
import ocs_sample_library_preview as lib

import fixture
import role_management

contoso, _ = fixture.tenants()
client = lib.OCSClient('v1', contoso.id, fixture.url(), contoso.client_id, contoso.client_secret)
role_management.exercise(lib, client, contoso)
print('ocs-sample-library-preview: every Roles call succeeded')
