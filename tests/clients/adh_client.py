"""AVEVA Data Hub's Python library (adh-sample-library-preview) against
communityd: the whole invite / accept / confirm handshake, roles, users and
community members, on the tenant-less routes the library calls.

Any exception the library raises on a communityd answer fails the run.
"""
from adh_sample_library_preview import (ADHClient, CommunityInput,
                                        CommunityTenantStatus, Roles, SdsError)

import fixture
import handshake

check = fixture.check
contoso, fabrikam = fixture.tenants()


def client(tenant):
    # The library fetches /identity/.well-known/openid-configuration and
    # asks its token_endpoint for a client-credentials token.
    return ADHClient('v1', tenant.id, fixture.url(), tenant.client_id, tenant.client_secret)


def statuses(community):
    return [(t.Name, t.Status) for t in community.Tenants or []]


owner = client(contoso)
member = client(fabrikam)

# Communities.createCommunity / getCommunities / getCommunityById
created = owner.Communities.createCommunity(
    CommunityInput('Plant data', 'Shared plant streams', contact_email='ops@contoso.example'))
community_id = created.Id
check(statuses(created) == [('Contoso', CommunityTenantStatus.Active)], statuses(created))
check(created.Tenants[0].ContactEmail == 'ops@contoso.example', 'contact email echoed')
check([c.Id for c in owner.Communities.getCommunities()] == [community_id], 'listed')

# The handshake: invite and accept ...
invitations = f'/api/v1-preview/Communities/{community_id}/Invitations'
invitation = handshake.invite(owner.baseClient, invitations, fabrikam.admin_email)
handshake.answer(member.baseClient, invitation['Id'], 'Accept')

# ... between Accept and Confirm the library must still parse every answer.
for seen in [owner.Communities.getCommunityById(community_id),
             owner.Communities.getCommunities()[0]]:
    check(statuses(seen) == [('Contoso', CommunityTenantStatus.Active)],
          f'an unconfirmed tenant is not yet listed: {statuses(seen)}')
waiting = handshake.call(owner.baseClient, 'get', f'{invitations}/{invitation["Id"]}')
check(waiting['State'] == 'InvitationAccepted', waiting)

# ... and confirm.
handshake.answer(owner.baseClient, invitation['Id'], 'Confirm')
for side in [owner, member]:
    seen = side.Communities.getCommunityById(community_id)
    check(statuses(seen) == [('Contoso', CommunityTenantStatus.Active),
                             ('Fabrikam', CommunityTenantStatus.Active)], statuses(seen))

# Roles.getRoles filtered as AVEVA's SDS sample does, and getRoleById.
for side in [owner, member]:
    roles = side.Roles.getRoles()
    member_roles = [r for r in roles
                    if r.RoleTypeId == Roles.CommunityMemberRoleTypeId
                    and r.CommunityId == community_id]
    check(len(member_roles) == 1, f'one member role of the community: {len(member_roles)}')
    check(member_roles[0].Id == created.MemberRoleId, 'the community names the same role')
    one = side.Roles.getRoleById(member_roles[0].Id)
    check(one.Name == member_roles[0].Name and one.RoleScope.value == 2, one.Name)
    admins = [r for r in roles if r.RoleTypeId == Roles.TenantAdministratorRoleTypeId]
    check(len(admins) == 1 and admins[0].RoleScope.value == 1, 'the tenant administrator role')
member_role_id = created.MemberRoleId

# Users.getUsers / getUserById find the id to add to the community.
users = member.Users.getUsers()
me = [u for u in users if u.Email == fabrikam.admin_email]
check(len(me) == 1, 'the administrator is listed')
check(member.Users.getUserById(me[0].Id).Email == fabrikam.admin_email, 'by id')
members_path = f'/api/v1-preview/Communities/{community_id}/Tenants/{fabrikam.id}/Users'
added = handshake.call(member.baseClient, 'put', f'{members_path}/{me[0].Id}', [member_role_id])
check(added['RoleIds'] == [member_role_id], added)
listed = handshake.call(member.baseClient, 'get', members_path)
check([u['Id'] for u in listed] == [me[0].Id], listed)
clients = handshake.call(
    member.baseClient, 'get', f'/api/v1/Tenants/{fabrikam.id}/ClientCredentialClients')
check(fabrikam.client_id in [c['Id'] for c in clients], 'the client is listed')

# Communities.getCommunitySummary, updateCommunity.
summary = member.Communities.getCommunitySummary(community_id)
check(summary.TotalStreams == 0 and summary.StreamsContributed == 0, 'no streams yet')
change = CommunityInput('Plant data 2021', 'Renamed')
change.Id = community_id  # updateCommunity reads Id from its input
owner.Communities.updateCommunity(change)
check(member.Communities.getCommunityById(community_id).Name == 'Plant data 2021', 'renamed')

# A refusal reaches the caller as the library's SdsError with the
# ErrorResponse parsed.
try:
    member.Communities.deleteCommunity(community_id)
    raise AssertionError('a member tenant cannot delete the community')
except SdsError as refused:
    check(refused.StatusCode == 403 and refused.Reason and refused.OperationId, str(refused))

# Communities.deleteCommunity by the owner.
owner.Communities.deleteCommunity(community_id)
check(owner.Communities.getCommunities() == [], 'deleted')
print('adh-sample-library-preview: every community call succeeded')
