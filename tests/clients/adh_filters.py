"""Filtered reads and joined windows through adh-sample-library-preview:
Contoso shares two wave streams into a community Fabrikam joins; Fabrikam
reads them through the community with filters (window, paged window,
range, Self link) and joins them in every mode, Interpolated too; Contoso
joins its own. Every answer is
checked against rows this script computes from the values it wrote.

Any exception the library raises on a communityd answer fails the run.
"""
import json
import math

import jsonpatch
from adh_sample_library_preview import (ADHClient, CommunityInput, SdsBoundaryType, SdsStream,
                                        SdsType, SdsTypeCode, SdsTypeProperty)

import fixture
import handshake

check = fixture.check
contoso, fabrikam = fixture.tenants()
namespace_id = 'default'
TYPE_ID = 'WaveData_SampleType'
FLOW, FLOW_B = 'Flow', 'Flow B'


class WaveData:
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


def wave(order, scale=1.0):
    radians = order * math.pi / 32
    return WaveData(order, radians, scale * math.sin(radians))


def wave_type():
    int_type = SdsType('intType', SdsTypeCode.Int32)
    double_type = SdsType('doubleType', SdsTypeCode.Double)
    return SdsType(TYPE_ID, SdsTypeCode.Object,
                   [SdsTypeProperty('Order', True, int_type),
                    SdsTypeProperty('Radians', False, double_type),
                    SdsTypeProperty('Sin', False, double_type)],
                   'WaveDataSample', 'WaveData events')


def client(tenant):
    return ADHClient('v1', tenant.id, fixture.url(), tenant.client_id, tenant.client_secret)


owner = client(contoso)
member = client(fabrikam)
community_id = owner.Communities.createCommunity(CommunityInput('Plant data', 'Shared waves')).Id
invitation = handshake.invite(owner.baseClient, f'/api/v1-preview/Communities/{community_id}/Invitations',
                              fabrikam.admin_email)
handshake.answer(member.baseClient, invitation['Id'], 'Accept')
handshake.answer(owner.baseClient, invitation['Id'], 'Confirm')

# Contoso's streams: Flow at orders 0-39, Flow B at every third order
# with its sine doubled, so the two streams' values differ at shared orders.
written = {FLOW: [wave(o) for o in range(40)], FLOW_B: [wave(o, 2.0) for o in range(0, 40, 3)]}
owner.Types.getOrCreateType(namespace_id, wave_type())
role = next(r for r in owner.Roles.getRoles()
            if r.RoleTypeId == owner.Roles.CommunityMemberRoleTypeId and r.CommunityId == community_id)
for stream_id, values in written.items():
    owner.Streams.createOrUpdateStream(namespace_id, SdsStream(stream_id, TYPE_ID, stream_id, 'waves'))
    owner.Streams.insertValues(namespace_id, stream_id, values)
    owner.Streams.patchAccessControl(namespace_id, stream_id, jsonpatch.JsonPatch([{
        'op': 'add', 'path': '/RoleTrusteeAccessControlEntries/-',
        'value': {'AccessRights': 1, 'AccessType': 0,
                  'Trustee': {'ObjectId': role.Id, 'TenantId': None, 'Type': 'Role'}}}]))


def orders(values):
    return [v.Order for v in values]


def expected(stream_id, keep, start=0, end=39):
    return [w.Order for w in written[stream_id] if start <= w.Order <= end and keep(w)]


shared = member.SharedStreams

# A window with a filter, through the community-id header.
got = shared.getWindowValues(contoso.id, namespace_id, community_id, FLOW, 0, 39, WaveData,
                             filter='Order mod 3 eq 0 and Sin gt 0')
check(orders(got) == expected(FLOW, lambda w: w.Order % 3 == 0 and w.Sin > 0),
      f'filtered window: {orders(got)}')
got = shared.getWindowValues(contoso.id, namespace_id, community_id, FLOW, 10, 20, WaveData,
                             filter="Radians ge 1.0 and not (Radians gt 1.5)")
check(orders(got) == expected(FLOW, lambda w: 1.0 <= w.Radians <= 1.5, 10, 20),
      f'filtered window with not: {orders(got)}')

# Pages hold matching values only, and their tokens go on to the end.
pages, token = [], ''
while True:
    page = shared.getWindowValuesPaged(contoso.id, namespace_id, community_id, FLOW, 0, 39, 3,
                                       token, WaveData, filter='Sin lt 0')
    pages.append(orders(page.Results))
    token = page.ContinuationToken
    if not token:
        break
    check(len(pages) < 10, 'the pages never end')
negative = expected(FLOW, lambda w: w.Sin < 0)
check(pages == [negative[i:i + 3] for i in range(0, len(negative), 3)], f'filtered pages: {pages}')

# A range: skip and count count matching values.
got = shared.getRangeValues(contoso.id, namespace_id, community_id, FLOW, 5, 2, 4, False,
                            SdsBoundaryType.Exact, WaveData, filter='Order mod 2 eq 1')
check(orders(got) == expected(FLOW, lambda w: w.Order % 2 == 1, 5)[2:6], f'filtered range: {orders(got)}')
got = shared.getRangeValues(contoso.id, namespace_id, community_id, FLOW, 30, 0, 3, True,
                            SdsBoundaryType.Exact, WaveData, filter='Order mod 4 eq 0')
check(orders(got) == [28, 24, 20], f'filtered reversed range: {orders(got)}')

# Through the community search's Self link.
hits = member.Communities.getCommunityStreams(community_id, FLOW)
self_link = next(h.Self for h in hits if h.Id == FLOW)
got = member.Streams.getWindowValuesUrl(self_link, 0, 39, WaveData, filter="Order ge 36 or Order eq 1")
check(orders(got) == expected(FLOW, lambda w: w.Order >= 36 or w.Order == 1), f'Self filtered: {orders(got)}')


def joined_rows(mode, start, end, ids):
    """The join of the written values, computed here: rows of dicts."""
    columns = [{w.Order: w.toDictionary() for w in written[s] if start <= w.Order <= end} for s in ids]
    keys = sorted(set().union(*columns))
    rows = [[c.get(k) for c in columns] for k in keys]
    if mode == 'inner':
        return [r for r in rows if all(v is not None for v in r)]
    if mode == 'outer':
        return rows
    if mode == 'mergeleft':
        return [next(v for v in r if v is not None) for r in rows]
    return [next(v for v in reversed(r) if v is not None) for r in rows]


def same(a, b, tol=1e-15):
    """Equal, doubles to their last bit or so: the server reads a double's
    text with serde_json's fast parser, which may land one bit off."""
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(a, b, rel_tol=tol, abs_tol=tol)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k], tol) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y, tol) for x, y in zip(a, b))
    return a == b


ids = [FLOW, FLOW_B]
for mode, number in [('outer', 1), ('inner', 0), ('mergeleft', 3), ('mergeright', 4)]:
    got = shared.getStreamsWindow(contoso.id, namespace_id, community_id, ids, 2, 13, number)
    check(same(got, joined_rows(mode, 2, 13, ids)), f'shared join {mode}: {got}')
    got = owner.Streams.getStreamsWindow(namespace_id, ids, None, 2, 13, mode)
    check(same(got, joined_rows(mode, 2, 13, ids)), f'own join {mode}: {got}')

# Interpolated: Flow B answers the orders it lacks linearly between its
# neighbours (0 and 3 around 2, though 0 lies outside the window).
def interpolated(order):
    values = {w.Order: w.toDictionary() for w in written[FLOW_B]}
    if order in values:
        return values[order]
    low, high = values[order - order % 3], values[order - order % 3 + 3]
    f = (order % 3) / 3
    return {'Order': order, **{p: low[p] + (high[p] - low[p]) * f for p in ('Radians', 'Sin')}}


expect = [[wave(o).toDictionary(), interpolated(o)] for o in range(2, 14)]
got = shared.getStreamsWindow(contoso.id, namespace_id, community_id, ids, 2, 13, 2)
check(same(got, expect, 1e-12), f'shared interpolated join: {got}')

# Inner rows through the library's value class.
got = owner.Streams.getStreamsWindow(namespace_id, [FLOW_B, FLOW], WaveData, 0, 9, 0)
check(same([[v.Sin for v in row] for row in got],
           [[2.0 * math.sin(o * math.pi / 32), math.sin(o * math.pi / 32)] for o in (0, 3, 6, 9)]),
      'inner join as WaveData')
print('filters and joins: every check passed')
