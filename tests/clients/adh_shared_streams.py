"""AVEVA's SDS sample "Community steps" (steps 18-20 of its SDS Python
sample), run unchanged through adh-sample-library-preview against
communityd with two tenants; then pause hides, resume shows, removal revokes,
and the removed tenant, now a non-member, gets 403/404 on every shared route.

Any exception the library raises on a communityd answer fails the run.
"""
import json
import math

import jsonpatch
from adh_sample_library_preview import (ADHClient, CommunityInput, Role, SdsStream,
                                        SdsType, SdsTypeCode, SdsTypeProperty)

import fixture
import handshake

check = fixture.check
contoso, fabrikam = fixture.tenants()
namespace_id = 'default'
SAMPLE_TYPE_ID = 'WaveData_SampleType'
SAMPLE_STREAM_ID = 'WaveData_SampleStream'
FABRIKAM_STREAM_ID = 'Pump Station 7'


class WaveData:
    """The sample's value class (wave_data.py), reduced to three properties."""

    def __init__(self, order=0, radians=0.0, sin=0.0):
        self.Order = order
        self.Radians = radians
        self.Sin = sin

    def toDictionary(self):
        return {'Order': self.Order, 'Radians': self.Radians, 'Sin': self.Sin}

    def toJson(self):
        return json.dumps(self.toDictionary())

    @staticmethod
    def fromJson(content):
        return WaveData(content['Order'], content['Radians'], content['Sin'])


def next_wave(order):
    radians = order * math.pi / 32
    return WaveData(order, radians, math.sin(radians))


def get_wave_data_type(sample_type_id):
    int_type = SdsType('intType', SdsTypeCode.Int32)
    double_type = SdsType('doubleType', SdsTypeCode.Double)
    order_property = SdsTypeProperty('Order', True, int_type)
    radians_property = SdsTypeProperty('Radians', False, double_type)
    sin_property = SdsTypeProperty('Sin', False, double_type)
    return SdsType(sample_type_id, SdsTypeCode.Object,
                   [order_property, radians_property, sin_property],
                   'WaveDataSample', 'This is a sample Sds type for storing WaveData type events.')


def client(tenant):
    return ADHClient('v1', tenant.id, fixture.url(), tenant.client_id, tenant.client_secret)


def make_stream(sds_client, stream_id, orders):
    """Steps 2-4 of the sample: type, stream, values."""
    wave_type = sds_client.Types.getOrCreateType(namespace_id, get_wave_data_type(SAMPLE_TYPE_ID))
    check(wave_type.Id == SAMPLE_TYPE_ID, 'Error getting back wave Type')
    stream = SdsStream(stream_id, wave_type.Id, stream_id, 'A Stream to store the WaveData events')
    sds_client.Streams.createOrUpdateStream(namespace_id, stream)
    sds_client.Streams.insertValues(namespace_id, stream.Id, [next_wave(o) for o in orders])


def community_steps(sds_client, community_id, SAMPLE_STREAM_ID):
    """The sample's community steps, as written there."""
    # Step 18
    print()
    print('Get tenant roles')
    roles = sds_client.Roles.getRoles()
    role: Role = None
    for r in roles:
        if r.RoleTypeId == sds_client.Roles.CommunityMemberRoleTypeId and r.CommunityId == community_id:
            role = r
            break
    print('Community member Id:')
    print(role.Id)

    print()
    print('Sharing stream to community')
    patch = jsonpatch.JsonPatch(
        [{
            'op': 'add', 'path': '/RoleTrusteeAccessControlEntries/-',
            'value': {
                'AccessRights': 1, 'AccessType': 0,
                'Trustee': {'ObjectId': role.Id, 'TenantId': None, 'Type': 'Role'}
            }
        }])
    sds_client.Streams.patchAccessControl(
        namespace_id, SAMPLE_STREAM_ID, patch)

    # Step 19
    print()
    print('Searching the community')
    community_streams = sds_client.Communities.getCommunityStreams(
        community_id, SAMPLE_STREAM_ID)
    print('Found matching streams:')
    for s in community_streams:
        print(s.Id)

    # Step 20
    print()
    print('Getting stream data from the community stream')
    community_stream = community_streams[0]
    community_data = sds_client.Streams.getLastValueUrl(
        community_stream.Self, WaveData)
    print('Retrieved last value:')
    print(community_data.toJson())
    return community_data


def status_of(base, method, path, headers=None, body=None):
    """A raw call whose error status is the expected outcome."""
    response = base.request(method, base.uri + path, additional_headers=headers,
                            data=None if body is None else json.dumps(body))
    return response.status_code


def found(sds_client, community_id, query):
    return [s.Id for s in sds_client.Communities.getCommunityStreams(community_id, query)]


owner = client(contoso)
member = client(fabrikam)

# A community of Contoso's that Fabrikam joins through the handshake.
community_id = owner.Communities.createCommunity(
    CommunityInput('Plant data', 'Streams the plants share')).Id
invitation = handshake.invite(owner.baseClient, f'/api/v1-preview/Communities/{community_id}/Invitations',
                              fabrikam.admin_email)
handshake.answer(member.baseClient, invitation['Id'], 'Accept')
handshake.answer(owner.baseClient, invitation['Id'], 'Confirm')

# Each tenant keeps a stream and runs the sample's community steps on it.
make_stream(owner, SAMPLE_STREAM_ID, range(0, 20, 2))
make_stream(member, FABRIKAM_STREAM_ID, [1, 2, 3])
check(community_steps(owner, community_id, SAMPLE_STREAM_ID).Order == 18,
      "Contoso's steps read its last value through Self")
check(community_steps(member, community_id, FABRIKAM_STREAM_ID).Order == 3,
      "Fabrikam's steps read its last value through Self")

# Fabrikam finds Contoso's stream and reads it through Self and the header.
hits = member.Communities.getCommunityStreams(community_id, SAMPLE_STREAM_ID)
check([h.Id for h in hits] == [SAMPLE_STREAM_ID], [h.Id for h in hits])
check(hits[0].TenantId == contoso.id and hits[0].CommunityId == community_id, 'hit names tenant and community')
self_link = hits[0].Self
self_path = self_link[len(fixture.url()):]
check(member.Streams.getLastValueUrl(self_link, WaveData).Order == 18, 'last value via Self')
window = member.Streams.getWindowValuesUrl(self_link, 0, 8, WaveData)
check([w.Order for w in window] == [0, 2, 4, 6, 8], 'a window via Self')
shared = member.SharedStreams.getLastValue(contoso.id, namespace_id, community_id, SAMPLE_STREAM_ID, WaveData)
check(shared.Order == 18, 'last value through the community-id header')
summary = member.Communities.getCommunitySummary(community_id)
check(summary.TotalStreams == 2, f'the summary counts both shares: {summary.TotalStreams}')
contoso_stream = f'/api/v1/Tenants/{contoso.id}/Namespaces/{namespace_id}/Streams/{SAMPLE_STREAM_ID}'
check(status_of(member.baseClient, 'post', f'{contoso_stream}/Data', {'community-id': community_id},
                [next_wave(40).toDictionary()]) == 403, 'writes with the header are refused')
check(status_of(member.baseClient, 'post', f'{self_path}/Data', None, [next_wave(40).toDictionary()]) == 403,
      'writes through Self are refused')

# Pausing Contoso hides its stream at once; resuming shows it again.
contoso_member = f'/api/v1-preview/Communities/{community_id}/Tenants/{contoso.id}'
handshake.call(owner.baseClient, 'put', contoso_member, {'Status': 'Paused'})
check(found(member, community_id, SAMPLE_STREAM_ID) == [], 'paused: not found')
check(status_of(member.baseClient, 'get', f'{self_path}/Data/Last') == 404, 'paused: Self hides it')
handshake.call(owner.baseClient, 'put', contoso_member, {'Status': 'Active'})
check(found(member, community_id, SAMPLE_STREAM_ID) == [SAMPLE_STREAM_ID], 'resumed: found again')
check(member.Streams.getLastValueUrl(self_link, WaveData).Order == 18, 'resumed: Self reads again')

# Removing Fabrikam revokes its shares both ways.
handshake.call(owner.baseClient, 'delete', f'/api/v1-preview/Communities/{community_id}/Tenants/{fabrikam.id}')
check(found(owner, community_id, FABRIKAM_STREAM_ID) == [], "removed: Fabrikam's stream is gone")
member_role = [r.Id for r in owner.Roles.getRoles() if r.CommunityId == community_id]
acl = member.Streams.getAccessControl(namespace_id, FABRIKAM_STREAM_ID)
check(all(e.Trustee.ObjectId not in member_role for e in acl.RoleTrusteeAccessControlEntries),
      "removed: Fabrikam's stream lost its community entry")
summary = owner.Communities.getCommunitySummary(community_id)
check((summary.TotalStreams, summary.StreamsContributed) == (1, 1), 'the summary counts what is left')

# Fabrikam, no longer a member, is refused on every shared route.
for what, method, path, headers in [
    ('search', 'get', f'/api/v1-preview/Search/Communities/{community_id}/Streams', None),
    ('OCS search', 'get', f'/api/v1-preview/tenants/{fabrikam.id}/search/communities/{community_id}/streams', None),
    ('Self', 'get', self_path, None),
    ('Self data', 'get', f'{self_path}/Data/Last', None),
    ('Self window', 'get', f'{self_path}/Data?startIndex=0&endIndex=8', None),
    ('header read', 'get', f'{contoso_stream}/Data/Last', {'community-id': community_id}),
    ('header preview read', 'get',
     f'/api/v1-preview/Tenants/{contoso.id}/Namespaces/{namespace_id}/Streams/{SAMPLE_STREAM_ID}/Data/Last',
     {'community-id': community_id}),
    ('summary', 'get', f'/api/v1-preview/Communities/{community_id}/Summary', None),
]:
    status = status_of(member.baseClient, method, path, headers)
    check(status in (403, 404), f'non-member {what}: {status}')
print('shared streams: every check passed')
