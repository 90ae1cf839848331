"""The OCS-era Python library (ocs-sample-library-preview) against
communityd: its community calls, on the OCS-2021 routes that carry
`Tenants/{tenantId}`, through the invite / accept / confirm handshake, and
its SDS type calls, which read `SdsTypeCode` back only as a number.

Any exception the library raises on a communityd answer fails the run.
"""
from ocs_sample_library_preview import (CommunityInput, CommunityTenantStatus,
                                        OCSClient, Roles, SdsError, SdsType,
                                        SdsTypeCode, SdsTypeProperty)

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
owner.Types.deleteType('default', 'WaveData_SampleType')
check(owner.Types.getTypes('default') == [], 'type deleted')
print('ocs-sample-library-preview: every community and type call succeeded')
