"""The Users calls of AVEVA's Python libraries (both flavours name them
alike) against communityd, for adh_users.py and ocs_users.py: add users,
get-or-create, create-or-update, invite, send again, list invitations,
withdraw, remove; the last Tenant Administrator and a taken address are
refused with the library's SdsError.

Any exception the library raises on a communityd answer fails the run.
"""
import uuid

import handshake
from fixture import check


def refused_with(error, status):
    """The library's SdsError names the status: ADH's as StatusCode, the
    OCS-era one only in its message."""
    return getattr(error, 'StatusCode', None) == status or f' {status}:' in str(error)


def role_id(client, type_id):
    found = [r.Id for r in client.Roles.getRoles() if r.RoleTypeId == type_id]
    check(len(found) == 1, f'one tenant role of type {type_id}: {found}')
    return found[0]


def exercise(lib, client, tenant):
    users = client.Users
    member_role = role_id(client, lib.Roles.TenantMemberRoleTypeId)
    admin_role = role_id(client, lib.Roles.TenantAdministratorRoleTypeId)

    # createUser: the server makes the id.
    ada = users.createUser(lib.User(email='ada@contoso.example',
                                    contact_email='ada@contoso.example',
                                    given_name='Ada', role_ids=[member_role]))
    check(ada.Id and ada.Email == 'ada@contoso.example', ada.toJson())
    check(ada.RoleIds == [member_role], ada.RoleIds)

    # getOrCreateUser: made with the caller's id, then found unchanged.
    bob_id = str(uuid.uuid4())
    bob = users.getOrCreateUser(lib.User(id=bob_id, email='bob@contoso.example'))
    check(bob.Id == bob_id, bob.toJson())
    again = users.getOrCreateUser(lib.User(id=bob_id, email='someone.else@contoso.example'))
    check(again.Email == 'bob@contoso.example', 'found, not changed')

    # createOrUpdateUser: a change of address and roles (no answer body parsed).
    users.createOrUpdateUser(lib.User(id=bob_id, email='robert@contoso.example',
                                      role_ids=[admin_role, member_role]))
    listed = {u.Id: u for u in users.getUsers()}
    check(listed[bob_id].Email == 'robert@contoso.example', listed[bob_id].toJson())
    check(sorted(listed[bob_id].RoleIds) == sorted([admin_role, member_role]),
          listed[bob_id].RoleIds)

    # A taken address: the library's SdsError with the ErrorResponse.
    try:
        users.createUser(lib.User(email='ADA@contoso.example'))
        raise AssertionError('a second user with the same address')
    except lib.SdsError as refused:
        check(refused_with(refused, 409) and 'already has a user' in str(refused), str(refused))

    # getOrCreateInvitation: emailed; asked again, the same invitation.
    invited = users.getOrCreateInvitation(ada.Id, lib.UserInvitation(send_invitation=True))
    # The library keeps State as the server's string (its toDictionary
    # would then fail on `.value`, so it is not called).
    check(invited.State == 'InvitationEmailSent', invited.State)
    check(invited.UserId == ada.Id and invited.TenantId == tenant.id,
          f'{invited.UserId} {invited.TenantId}')
    same = users.getOrCreateInvitation(ada.Id, lib.UserInvitation(send_invitation=True))
    check(same.Id == invited.Id, 'the same invitation')

    # createOrUpdateInvitation: sent again (a new link).
    users.createOrUpdateInvitation(ada.Id, lib.UserInvitation(send_invitation=True))
    listed = users.getInvitations()
    check([i.Id for i in listed] == [invited.Id], [i.Id for i in listed])
    check(listed[0].Issued >= invited.Issued, 'issued again')

    # deleteInvitation: this library version formats its path with
    # `stream_id=` where the template says `{user_id}`, so it raises
    # KeyError before sending anything; the same DELETE goes through its
    # BaseClient instead.
    try:
        users.deleteInvitation(ada.Id)
        raise AssertionError('deleteInvitation formatted its path after all')
    except KeyError:
        pass
    path = f'/api/v1/Tenants/{tenant.id}/Users/{ada.Id}/Invitation'
    handshake.call(client.baseClient, 'delete', path)
    check(users.getInvitations() == [], 'withdrawn')

    # deleteUser, and the last Tenant Administrator stays.
    users.deleteUser(ada.Id)
    users.deleteUser(bob_id)
    check([u.Id for u in users.getUsers()] == [tenant.admin_user_id], 'removed')
    try:
        users.deleteUser(tenant.admin_user_id)
        raise AssertionError('the last Tenant Administrator was removed')
    except lib.SdsError as refused:
        check(refused_with(refused, 409) and 'last Tenant Administrator' in str(refused),
              str(refused))
