"""The Roles calls of AVEVA's Python libraries (both flavours name them
alike) against communityd, for adh_roles.py and ocs_roles.py: a tenant's
administrator makes a custom role, renames it, gives it to a user, names
it in a type's access control list, and deletes it; a taken name and a
built-in role are refused with the library's SdsError.

Any exception the library raises on a communityd answer fails the run.
"""
from fixture import check
from user_management import refused_with, role_id

TYPE = 'RoleCheck_SampleType'


def steward_entry(lib, role):
    trustee = lib.Trustee(lib.TrusteeType.Role, None, role)
    return lib.AccessControlEntry(trustee, lib.AccessType.Allowed,
                                  lib.CommonAccessRightsEnum.Read)


def exercise(lib, client, tenant):
    roles = client.Roles
    member_role = role_id(client, lib.Roles.TenantMemberRoleTypeId)
    admin_role = role_id(client, lib.Roles.TenantAdministratorRoleTypeId)

    # createRole: the server makes the id; a custom role has no role type.
    made = roles.createRole(lib.Role(name='Data Steward', description='Shares streams',
                                     role_scope=lib.RoleScope.Tenant))
    check(made.Id and made.Name == 'Data Steward', made.toJson())
    check(made.RoleScope == lib.RoleScope.Tenant and made.TenantId == tenant.id,
          made.toJson())
    check(made.RoleTypeId is None, made.RoleTypeId)
    check(roles.getRoleById(made.Id).Description == 'Shares streams', 'read back')
    check([r.Name for r in roles.getRoles()][:3]
          == ['Tenant Administrator', 'Tenant Member', 'Data Steward'], 'listed')

    # updateRole: renamed, the description kept as sent.
    made.Name = 'Stream Steward'
    renamed = roles.updateRole(made)
    check(renamed.Id == made.Id and renamed.Name == 'Stream Steward', renamed.toJson())

    # A taken name (any case) and a built-in role are refused.
    try:
        roles.createRole(lib.Role(name='stream STEWARD', description='',
                                  role_scope=lib.RoleScope.Tenant))
        raise AssertionError('a second role with a taken name')
    except lib.SdsError as refused:
        check(refused_with(refused, 409), str(refused))
    try:
        roles.deleteRole(admin_role)
        raise AssertionError('a built-in role was deleted')
    except lib.SdsError as refused:
        check(refused_with(refused, 403) and 'built-in' in str(refused), str(refused))

    # A user holds it, and a type's list names it.
    user = client.Users.createUser(lib.User(email='steward@contoso.example',
                                            role_ids=[member_role, made.Id]))
    check(sorted(user.RoleIds) == sorted([member_role, made.Id]), user.RoleIds)
    wave = lib.SdsType(TYPE, lib.SdsTypeCode.Object,
                       [lib.SdsTypeProperty('Order', True,
                                            lib.SdsType('intType', lib.SdsTypeCode.Int32))])
    client.Types.getOrCreateType('default', wave)
    acl = client.Types.getAccessControl('default', TYPE)
    acl.RoleTrusteeAccessControlEntries.append(steward_entry(lib, made.Id))
    client.Types.updateAccessControl('default', TYPE, acl)
    named = [e.Trustee.ObjectId for e in
             client.Types.getAccessControl('default', TYPE).RoleTrusteeAccessControlEntries]
    check(named == [admin_role, member_role, made.Id], named)

    # deleteRole: gone from the list and from its holder.
    roles.deleteRole(made.Id)
    check(made.Id not in [r.Id for r in roles.getRoles()], 'deleted')
    holder = [u for u in client.Users.getUsers() if u.Id == user.Id][0]
    check(holder.RoleIds == [member_role], holder.RoleIds)
    client.Users.deleteUser(user.Id)
    client.Types.deleteType('default', TYPE)
