"""The OCS-era Python library (ocs-sample-library-preview) against
communityd: its community calls, on the OCS-2021 routes that carry
`Tenants/{tenantId}`, through the invite / accept / confirm handshake, and
its SDS type calls, which read `SdsTypeCode` back only as a number, and
the access control the library's `Types` securable calls read and change.

Any exception the library raises on a communityd answer fails the run.
"""
import jsonpatch
from ocs_sample_library_preview import (CommunityInput, CommunityTenantStatus,
                                        OCSClient, Roles, SdsError, SdsType,
                                        SdsTypeCode, SdsTypeProperty)
from ocs_sample_library_preview.Security.CommonAccessRightsEnum import \
    CommonAccessRightsEnum as Rights

import fixture
import handshake

check = fixture.check
contoso, fabrikam = fixture.tenants()


def client(tenant):
    return OCSClient('v1', tenant.id, fixture.url(), tenant.client_id, tenant.client_secret)


def statuses(community):
    return [(t.Name, t.Status) for t in community.Tenants or []]


owner = client(contoso)
member = client(fabrikam)
S = CommunityTenantStatus

created = owner.Communities.createCommunity(CommunityInput('Plant data', 'Shared plant streams'))
community_id = created.Id
check(statuses(created) == [('Contoso', S.Active)], statuses(created))
check(created.Alias == 'Plant data', 'OCS-2021 Alias')

invitations = f'/api/v1-preview/tenants/{contoso.id}/communities/{community_id}/invitations'
invitation = handshake.invite(owner.baseClient, invitations, fabrikam.admin_email)
handshake.answer(member.baseClient, invitation['Id'], 'Accept')

# OCS-2021's enum has AwaitingConfirmation, and this library parses it.
for seen in [owner.Communities.getCommunityById(community_id),
             owner.Communities.getCommunities()[0]]:
    check(statuses(seen) == [('Contoso', S.Active), ('Fabrikam', S.AwaitingConfirmation)],
          statuses(seen))
accepted = handshake.call(member.baseClient, 'get',
                          f'/api/v1-preview/tenants/{fabrikam.id}/communityinvitations')
check([i['Id'] for i in accepted] == [invitation['Id']], accepted)

handshake.answer(owner.baseClient, invitation['Id'], 'Confirm')
seen = member.Communities.getCommunityById(community_id)
check(statuses(seen) == [('Contoso', S.Active), ('Fabrikam', S.Active)], statuses(seen))

summary = member.Communities.getCommunitySummary(community_id)
check(summary.TotalStreams == 0, 'no streams yet')

roles = member.Roles.getRoles()
mine = [r for r in roles
        if r.RoleTypeId == Roles.CommunityMemberRoleTypeId and r.CommunityId == community_id]
check(len(mine) == 1, 'the community member role is listed')
check(member.Roles.getRoleById(mine[0].Id).Id == mine[0].Id, 'by id')

# Users.getUsers works; this library's getUserById formats its path with a
# namespace_id the template lacks, so it raises KeyError on any server.
check(fabrikam.admin_email in [u.Email for u in member.Users.getUsers()], 'users listed')

change = CommunityInput('Plant data 2021', 'Renamed')
change.Id = community_id  # updateCommunity reads Id from its input
owner.Communities.updateCommunity(change)
check(member.Communities.getCommunityById(community_id).Name == 'Plant data 2021', 'renamed')

try:
    member.Communities.deleteCommunity(community_id)
    raise AssertionError('a member tenant cannot delete the community')
except SdsError as refused:
    check('403' in str(refused), str(refused))

owner.Communities.deleteCommunity(community_id)
check(owner.Communities.getCommunities() == [], 'deleted')

# The library sends type codes by name and parses the answer with
# SdsTypeCode(value), which takes only numbers: a name raises ValueError.
wave = SdsType('WaveData_SampleType', SdsTypeCode.Object,
               [SdsTypeProperty('Order', True, SdsType('intType', SdsTypeCode.Int32)),
                SdsTypeProperty('Radians', False, SdsType('doubleType', SdsTypeCode.Double))],
               'WaveDataSample', 'WaveData events')
for seen in [owner.Types.getOrCreateType('default', wave),
             owner.Types.getOrCreateType('default', wave),
             owner.Types.getType('default', 'WaveData_SampleType'),
             owner.Types.getTypes('default')[0]]:
    check(seen.Id == 'WaveData_SampleType' and seen.SdsTypeCode == SdsTypeCode.Object,
          f'{seen.Id} {seen.SdsTypeCode}')
    check([(p.Id, p.IsKey, p.SdsType.SdsTypeCode) for p in seen.Properties]
          == [('Order', True, SdsTypeCode.Int32), ('Radians', False, SdsTypeCode.Double)],
          'property types read back')

# A type has an access control list, an owner and the caller's rights, as a
# stream does: read, written back unchanged, patched, and the owner kept.
TYPE = 'WaveData_SampleType'
acl = owner.Types.getAccessControl('default', TYPE)
check([(e.AccessRights.value, e.AccessType.value) for e in acl.RoleTrusteeAccessControlEntries]
      == [(31, 0), (3, 0)], 'administrators hold everything, members read and write')
owner.Types.updateAccessControl('default', TYPE, acl)
admin_role = acl.RoleTrusteeAccessControlEntries[0].Trustee.ObjectId
owner.Types.patchAccessControl('default', TYPE, jsonpatch.JsonPatch([
    {'op': 'remove', 'path': '/RoleTrusteeAccessControlEntries/1'}]))
acl = owner.Types.getAccessControl('default', TYPE)
check([e.Trustee.ObjectId for e in acl.RoleTrusteeAccessControlEntries] == [admin_role],
      'the patch took the Tenant Member entry away')
type_owner = owner.Types.getOwner('default', TYPE)
check(type_owner.ObjectId == contoso.client_id, f'owned by its creator, not {type_owner.ObjectId}')
owner.Types.updateOwner('default', TYPE, type_owner)
rights = owner.Types.getAccessRights('default', TYPE)
check(rights == [Rights.Read, Rights.Write, Rights.Delete, Rights.ManageAccessControl,
                 Rights.Share], f'rights {rights}')
owner.Types.deleteType('default', TYPE)
check(owner.Types.getTypes('default') == [], 'type deleted')
print('ocs-sample-library-preview: every community, type and type access call succeeded')
