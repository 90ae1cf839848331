"""Namespaces and community search paging through adh-sample-library-preview.

Contoso stores types and streams in two namespaces; the library's
Namespaces client lists and reads them and reads and changes the tenant's
default list for namespaces and one namespace's own list. Contoso then
shares five streams into a community Fabrikam joined, and Fabrikam searches
them with Communities.getCommunityStreams, and pages through them with
pageSize, orderBy and continuationToken (raw calls through the library's
baseClient, since its method sends only query, skip and count).

Any exception the library raises on a communityd answer fails the run.
"""
import copy
import urllib.parse

import jsonpatch
from adh_sample_library_preview import (ADHClient, AccessControlEntry, AccessControlList,
                                        AccessType, CommonAccessRightsEnum, CommunityInput,
                                        SdsStream, SdsType, SdsTypeCode, SdsTypeProperty,
                                        Trustee, TrusteeType)

import fixture
import handshake

check = fixture.check
contoso, fabrikam = fixture.tenants()
TYPE_ID = 'Counter'
# (id, name): by name the order is s2, s4, s3, s5, s1.
SHARED = [('s1', 'Echo'), ('s2', 'alpha'), ('s3', 'Charlie'), ('s4', 'bravo'), ('s5', 'Delta')]


def client(tenant):
    return ADHClient('v1', tenant.id, fixture.url(), tenant.client_id, tenant.client_secret)


def counter_type():
    int_type = SdsType('intType', SdsTypeCode.Int32)
    return SdsType(TYPE_ID, SdsTypeCode.Object, [SdsTypeProperty('Order', True, int_type)],
                   'Counter', 'One counter')


def make_streams(sds_client, namespace_id, streams):
    sds_client.Types.getOrCreateType(namespace_id, counter_type())
    for stream_id, name in streams:
        sds_client.Streams.createOrUpdateStream(namespace_id, SdsStream(stream_id, TYPE_ID, name))


def acl_dict(acl):
    return acl.toDictionary()['RoleTrusteeAccessControlEntries']


owner = client(contoso)
member = client(fabrikam)

# Namespaces: `default` always, and every namespace holding something.
make_streams(owner, 'default', SHARED)
make_streams(owner, 'Plant', [('p1', 'Press 1')])
listed = owner.Namespaces.getNamespaces()
check(sorted(n.Id for n in listed) == ['default', 'plant'],
      f'the namespaces listed: {[n.Id for n in listed]}')
check(all(n.State == 1 and n.Region for n in listed), 'each namespace is Active in a region')
plant = owner.Namespaces.getNamespaceById('Plant')
check(plant.Id == 'plant' and plant.Self.endswith(f'/Tenants/{contoso.id}/Namespaces/plant'),
      f'the plant namespace: {plant.Id} {plant.Self}')
check(owner.Namespaces.getNamespaces(region='elsewhere') == [], 'another region holds none')
missing = owner.baseClient.request('get', f'{owner.baseClient.uri_API}/Tenants/{contoso.id}/Namespaces/none')
check(missing.status_code == 404, f'a namespace holding nothing: {missing.status_code}')

# The tenant's default list for namespaces, built in, then replaced.
default = owner.Namespaces.getDefaultAccessControl('default')
rights = [e.AccessRights for e in default.RoleTrusteeAccessControlEntries]
check(rights == [CommonAccessRightsEnum.All, CommonAccessRightsEnum.Read | CommonAccessRightsEnum.Write],
      f'the built-in default list: {acl_dict(default)}')
narrowed = copy.deepcopy(default)
narrowed.RoleTrusteeAccessControlEntries[1].AccessRights = CommonAccessRightsEnum.Read
owner.Namespaces.updateDefaultAccessControl('default', narrowed)
check(acl_dict(owner.Namespaces.getDefaultAccessControl('default')) == acl_dict(narrowed),
      'the default list as stored')

# A namespace's own list: the default until set, its own after.
plant_acl = owner.Namespaces.getAccessControl('default', 'plant')
check(acl_dict(plant_acl) == acl_dict(narrowed), 'plant is under the default list')
administrators = narrowed.RoleTrusteeAccessControlEntries[0]
owner.Namespaces.updateAccessControl('default', 'plant', AccessControlList([administrators]))
check(len(owner.Namespaces.getAccessControl('default', 'plant').RoleTrusteeAccessControlEntries) == 1,
      'plant keeps its own list')
check(len(owner.Namespaces.getAccessControl('default', 'default').RoleTrusteeAccessControlEntries) == 2,
      'default still follows the default list')
patch = jsonpatch.JsonPatch([{'op': 'replace', 'path': '/RoleTrusteeAccessControlEntries/0/AccessRights',
                              'value': 31}])
patched = owner.baseClient.request(
    'patch', f'{owner.baseClient.uri_API}/Tenants/{contoso.id}/Namespaces/plant/AccessControl',
    data=patch.to_string())
check(patched.status_code == 204, f'a JSON Patch of a namespace list: {patched.status_code}')
# Another tenant's administrator may not read Contoso's namespaces.
foreign = member.baseClient.request('get', f'{member.baseClient.uri_API}/Tenants/{contoso.id}/Namespaces')
check(foreign.status_code == 403, f'a foreign tenant lists namespaces: {foreign.status_code}')

# A community: Contoso shares the five default-namespace streams.
community_id = owner.Communities.createCommunity(
    CommunityInput('Paged data', 'Streams to page through')).Id
invitation = handshake.invite(owner.baseClient, f'/api/v1-preview/Communities/{community_id}/Invitations',
                              fabrikam.admin_email)
handshake.answer(member.baseClient, invitation['Id'], 'Accept')
handshake.answer(owner.baseClient, invitation['Id'], 'Confirm')
role_id = next(r.Id for r in owner.Roles.getRoles()
               if r.RoleTypeId == owner.Roles.CommunityMemberRoleTypeId and r.CommunityId == community_id)
share = AccessControlEntry(Trustee(TrusteeType.Role, None, role_id), AccessType.Allowed,
                           CommonAccessRightsEnum.Read)
for stream_id, _ in SHARED:
    owner.Streams.patchAccessControl('default', stream_id, jsonpatch.JsonPatch(
        [{'op': 'add', 'path': '/RoleTrusteeAccessControlEntries/-', 'value': share.toDictionary()}]))

found = member.Communities.getCommunityStreams(community_id)
check([s.Id for s in found] == ['s2', 's4', 's3', 's5', 's1'],
      f'the search, by name: {[s.Id for s in found]}')
check(all(s.TenantId == contoso.id for s in found), 'every hit is Contoso\'s')
found = member.Communities.getCommunityStreams(community_id, 'Name:*a*', skip=1, count=2)
check([s.Id for s in found] == ['s4', 's3'], f'query, skip and count: {[s.Id for s in found]}')


def next_link(response):
    """The next page's URL from the Link header, or None."""
    for part in response.headers.get('Link', '').split(', '):
        url, _, rel = part.partition('; ')
        if rel == 'rel="next"':
            return url.strip('<>')
    return None


def walk(params):
    """Ids of each page, following next links from a first raw search."""
    base = member.baseClient
    url = f'{base.uri}/api/v1-preview/Search/Communities/{community_id}/Streams'
    response = base.request('get', url, params=params)
    pages = []
    while True:
        base.checkResponse(response, 'Failed to page the search.')
        pages.append([s['Id'] for s in response.json()])
        url = next_link(response)
        if url is None or len(pages) > 10:
            return pages
        token = urllib.parse.parse_qs(urllib.parse.urlparse(url).query)['continuationToken'][0]
        response = base.request('get', url.split('?')[0],
                                params={**params, 'continuationToken': token})


pages = walk({'pageSize': 2})
check(pages == [['s2', 's4'], ['s3', 's5'], ['s1']], f'pages by name: {pages}')
pages = walk({'pageSize': 2, 'orderBy': 'Name desc'})
check(pages == [['s1', 's5'], ['s3', 's4'], ['s2']], f'pages by name, descending: {pages}')
pages = walk({'pageSize': 3, 'orderBy': 'id'})
check(pages == [['s1', 's2', 's3'], ['s4', 's5']], f'pages by id: {pages}')
pages = walk({'pageSize': 2, 'maxPages': 2})
check(pages == [['s2', 's4'], ['s3', 's5']], f'two pages at most: {pages}')
refused = member.baseClient.request(
    'get', f'{member.baseClient.uri}/api/v1-preview/Search/Communities/{community_id}/Streams',
    params={'pageSize': 2, 'continuationToken': 'changed.token'})
check(refused.status_code == 400 and refused.json().get('Parameter') == 'continuationToken',
      f'a changed token: {refused.status_code} {refused.text}')
print('namespaces and search paging: all checks passed')
