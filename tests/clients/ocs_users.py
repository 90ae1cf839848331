"""The OCS-era Python library (ocs-sample-library-preview): its Users and
user invitation calls against communityd (see user_management.py)."""
import ocs_sample_library_preview as lib

import fixture
import user_management

contoso, _ = fixture.tenants()
client = lib.OCSClient('v1', contoso.id, fixture.url(), contoso.client_id, contoso.client_secret)
user_management.exercise(lib, client, contoso)
print('ocs-sample-library-preview: every Users call succeeded')
