"""AVEVA's SDS sample "Community steps", run unchanged through AVEVA's client
library (adh-sample-library-preview) against a running communityd, with two
member tenants and one outsider; then pause hides, resume shows, removal
revokes, and the outsider is refused on every shared route.

Settings come from the environment (see run_community_steps.sh):
COMMUNITYD_URL, and for A, B and C: TENANT_<X>_ID, TENANT_<X>_CLIENT_ID,
TENANT_<X>_CLIENT_SECRET, TENANT_<X>_EMAIL.
Exits non-zero on the first failed check or library exception.
"""

import json
import math
import os
import sys

import jsonpatch
from adh_sample_library_preview import (ADHClient, Role, SdsStream, SdsType,
                                        SdsTypeCode, SdsTypeProperty)
from adh_sample_library_preview.Community.CommunityInput import CommunityInput

NAMESPACE_ID = 'default'
SAMPLE_TYPE_ID = 'WaveData_SampleType'
SAMPLE_STREAM_ID = 'WaveData_SampleStream'
B_STREAM_ID = 'Pump Station 7'


class WaveData:
    """The sample's value class, reduced to what the steps read."""

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
        if content is None:
            raise TypeError('no value')
        return WaveData(content['Order'], content['Radians'], content['Sin'])


def wave(order):
    radians = order * math.pi / 32
    return WaveData(order, radians, math.sin(radians))


def wave_type():
    int_type = SdsType('intType', SdsTypeCode.Int32)
    double_type = SdsType('doubleType', SdsTypeCode.Double)
    return SdsType(SAMPLE_TYPE_ID, SdsTypeCode.Object,
                   [SdsTypeProperty('Order', True, int_type),
                    SdsTypeProperty('Radians', False, double_type),
                    SdsTypeProperty('Sin', False, double_type)],
                   'WaveDataSample', 'A sample type for WaveData events.')


def tenant(letter):
    env = os.environ
    return {
        'id': env[f'TENANT_{letter}_ID'],
        'client_id': env[f'TENANT_{letter}_CLIENT_ID'],
        'secret': env[f'TENANT_{letter}_CLIENT_SECRET'],
        'email': env[f'TENANT_{letter}_EMAIL'],
    }


def client(t):
    return ADHClient('v1', t['id'], os.environ['COMMUNITYD_URL'], t['client_id'], t['secret'])


def check(condition, message):
    if not condition:
        raise AssertionError(message)
    print(f'ok: {message}')


def call(sds_client, method, path, body=None, headers=None):
    """A route the library has no method for, through its own base client."""
    base = sds_client.baseClient
    data = None if body is None else json.dumps(body)
    return base.request(method, base.uri + path, data=data, additional_headers=headers)


def expect(sds_client, method, path, statuses, what, body=None, headers=None):
    response = call(sds_client, method, path, body, headers)
    check(response.status_code in statuses, f'{what}: {response.status_code} in {statuses}')
    return response


def community_steps(sds_client, community_id, stream_id):
    """Steps 18 to 20 of AVEVA's SDS sample, as written there."""
    # Step 18
    roles = sds_client.Roles.getRoles()
    role: Role = None
    for r in roles:
        if r.RoleTypeId == sds_client.Roles.CommunityMemberRoleTypeId and r.CommunityId == community_id:
            role = r
            break
    patch = jsonpatch.JsonPatch(
        [{
            'op': 'add', 'path': '/RoleTrusteeAccessControlEntries/-',
            'value': {
                'AccessRights': 1, 'AccessType': 0,
                'Trustee': {'ObjectId': role.Id, 'TenantId': None, 'Type': 'Role'}
            }
        }])
    sds_client.Streams.patchAccessControl(NAMESPACE_ID, stream_id, patch)

    # Step 19
    community_streams = sds_client.Communities.getCommunityStreams(community_id, stream_id)

    # Step 20
    community_stream = community_streams[0]
    return sds_client.Streams.getLastValueUrl(community_stream.Self, WaveData)


def make_stream(sds_client, stream_id, orders):
    sds_client.Types.getOrCreateType(NAMESPACE_ID, wave_type())
    sds_client.Streams.createOrUpdateStream(
        NAMESPACE_ID, SdsStream(stream_id, SAMPLE_TYPE_ID, stream_id, 'WaveData events'))
    sds_client.Streams.insertValues(NAMESPACE_ID, stream_id, [wave(o) for o in orders])


def found(sds_client, community_id, stream_id):
    return [s.Id for s in sds_client.Communities.getCommunityStreams(community_id, stream_id)]


def main():
    a, b, c = tenant('A'), tenant('B'), tenant('C')
    client_a, client_b, client_c = client(a), client(b), client(c)

    # A community owned by A, with B invited, accepted and confirmed.
    community = client_a.Communities.createCommunity(
        CommunityInput('Plant data', 'Streams the plants share'))
    community_id = community.Id
    invitation = expect(client_a, 'post', f'/api/v1-preview/communities/{community_id}/invitations',
                        [201], 'A invites B', {'InvitationRecipient': b['email']}).json()
    expect(client_b, 'put', f'/api/v1-preview/communityinvitations/{invitation["Id"]}', [200],
           'B accepts', {'Action': 'Accept'})
    expect(client_a, 'put', f'/api/v1-preview/communityinvitations/{invitation["Id"]}', [200],
           'A confirms', {'Action': 'Confirm'})

    # Both tenants keep data and run the sample's community steps.
    make_stream(client_a, SAMPLE_STREAM_ID, range(0, 20, 2))
    make_stream(client_b, B_STREAM_ID, [1, 2, 3])
    last = community_steps(client_a, community_id, SAMPLE_STREAM_ID)
    check(last.Order == 18, "A's community steps read A's last value through Self")
    last = community_steps(client_b, community_id, B_STREAM_ID)
    check(last.Order == 3, "B's community steps read B's last value through Self")

    # B finds and reads A's stream, through Self and through the community-id header.
    hits = client_b.Communities.getCommunityStreams(community_id, SAMPLE_STREAM_ID)
    check([h.Id for h in hits] == [SAMPLE_STREAM_ID], 'B finds A\'s shared stream')
    check(hits[0].TenantId == a['id'] and hits[0].CommunityId == community_id,
          'the search result names the sharing tenant and the community')
    self_link = hits[0].Self
    check(client_b.Streams.getLastValueUrl(self_link, WaveData).Order == 18, 'B reads A\'s last value via Self')
    window = client_b.Streams.getWindowValuesUrl(self_link, 0, 8, WaveData)
    check([w.Order for w in window] == [0, 2, 4, 6, 8], 'B reads a window of A\'s values via Self')
    shared = client_b.SharedStreams.getLastValue(a['id'], NAMESPACE_ID, community_id, SAMPLE_STREAM_ID, WaveData)
    check(shared.Order == 18, 'B reads A\'s last value with the community-id header')
    summary = client_b.Communities.getCommunitySummary(community_id)
    check(summary.TotalStreams == 2, 'the summary counts both shared streams')
    a_stream = f'/api/v1/Tenants/{a["id"]}/Namespaces/{NAMESPACE_ID}/Streams/{SAMPLE_STREAM_ID}'
    expect(client_b, 'post', f'{a_stream}/Data', [403], 'B cannot write A\'s stream with the header',
           [wave(40).toDictionary()], {'community-id': community_id})
    expect(client_b, 'post', self_link.replace(os.environ['COMMUNITYD_URL'], '') + '/Data', [403],
           'B cannot write A\'s stream through Self', [wave(40).toDictionary()])

    # Pausing A hides A's streams at once; resuming shows them again.
    a_member = f'/api/v1-preview/communities/{community_id}/tenants/{a["id"]}'
    expect(client_a, 'put', a_member, [200], 'A pauses its sharing', {'Status': 'Paused'})
    check(found(client_b, community_id, SAMPLE_STREAM_ID) == [], 'paused: B no longer finds A\'s stream')
    expect(client_b, 'get', self_link.replace(os.environ['COMMUNITYD_URL'], '') + '/Data/Last', [404],
           'paused: B cannot read A\'s stream via Self')
    expect(client_a, 'put', a_member, [200], 'A resumes its sharing', {'Status': 'Active'})
    check(found(client_b, community_id, SAMPLE_STREAM_ID) == [SAMPLE_STREAM_ID], 'resumed: B finds A\'s stream again')

    # An outsider gets 403/404 on every shared route.
    for what, method, path, headers in [
        ('search', 'get', f'/api/v1-preview/Search/Communities/{community_id}/Streams', None),
        ('OCS search', 'get', f'/api/v1-preview/tenants/{c["id"]}/search/communities/{community_id}/streams', None),
        ('Self', 'get', self_link.replace(os.environ['COMMUNITYD_URL'], ''), None),
        ('Self data', 'get', self_link.replace(os.environ['COMMUNITYD_URL'], '') + '/Data/Last', None),
        ('header read', 'get', f'{a_stream}/Data/Last', {'community-id': community_id}),
        ('summary', 'get', f'/api/v1-preview/Communities/{community_id}/Summary', None),
    ]:
        expect(client_c, method, path, [403, 404], f'outsider C is refused: {what}', headers=headers)

    # Removing B revokes its shares both ways, in the same step.
    expect(client_a, 'delete', f'/api/v1-preview/communities/{community_id}/tenants/{b["id"]}', [204], 'A removes B')
    check(found(client_a, community_id, B_STREAM_ID) == [], 'removed: A no longer finds B\'s stream')
    acl = client_b.Streams.getAccessControl(NAMESPACE_ID, B_STREAM_ID)
    check(all(e.Trustee.ObjectId not in [r.Id for r in client_a.Roles.getRoles() if r.CommunityId == community_id]
              for e in acl.RoleTrusteeAccessControlEntries), 'removed: B\'s stream lost its community entry')
    expect(client_b, 'get', f'/api/v1-preview/Search/Communities/{community_id}/Streams', [403, 404],
           'removed: B cannot search the community')
    expect(client_b, 'get', self_link.replace(os.environ['COMMUNITYD_URL'], '') + '/Data/Last', [403, 404],
           'removed: B cannot read A\'s stream via Self')
    summary = client_a.Communities.getCommunitySummary(community_id)
    check(summary.TotalStreams == 1 and summary.StreamsContributed == 1, 'the summary counts what is left')
    print('community steps: all checks passed')


if __name__ == '__main__':
    try:
        main()
    except Exception as error:  # any library exception fails the run
        print(f'FAILED: {type(error).__name__}: {error}', file=sys.stderr)
        sys.exit(1)
