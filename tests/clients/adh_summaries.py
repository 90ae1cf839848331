"""Summaries and sampled values read by a partner through a community, with
adh-sample-library-preview: Contoso shares a stream of unevenly spaced
values; Fabrikam calls SharedStreams.getSummaries and getSampledValues (the
community-id header) and the Streams *Url forms on the search hit's Self.
Every number is checked against one computed here, independently, from the
values the script wrote: plain means and deviations of the segments
between values, time-weighted means by trapezoids (continuous) and steps
(stepwise leading).

Any exception the library raises on a communityd answer fails the run.
"""
import json
import math

import jsonpatch

from adh_sample_library_preview import (ADHClient, CommunityInput, SdsStream, SdsType,
                                        SdsTypeCode, SdsTypeProperty)
from adh_sample_library_preview.SDS.SdsInterpolationMode import SdsInterpolationMode

import fixture
import handshake

check = fixture.check
contoso, fabrikam = fixture.tenants()
namespace_id = 'default'
TYPE_ID = 'Gauge'
STREAM_ID = 'Gauge 7'
# Order (the index) and Flow, unevenly spaced.
POINTS = [(0, 10.0), (1, 20.0), (4, 40.0), (7, 5.0), (10, 10.0)]


def client(tenant):
    return ADHClient('v1', tenant.id, fixture.url(), tenant.client_id, tenant.client_secret)


def gauge_type():
    int_type = SdsType('intType', SdsTypeCode.Int32)
    double_type = SdsType('doubleType', SdsTypeCode.Double)
    return SdsType(TYPE_ID, SdsTypeCode.Object, [
        SdsTypeProperty('Order', True, int_type),
        SdsTypeProperty('Flow', False, double_type),
        SdsTypeProperty('Level', False, double_type,
                        interpolation_mode=SdsInterpolationMode.StepwiseContinuousLeading),
    ], 'Gauge', 'Unevenly spaced readings')


def segments(points, leading):
    """(value, width) of each stretch between consecutive points."""
    out = []
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        out.append((y0 if leading else (y0 + y1) / 2, x1 - x0))
    return out


def expected(points, leading):
    segs = segments(points, leading)
    values = [v for v, _ in segs]
    n = len(values)
    mean = sum(values) / n
    squares = sum((v - mean) ** 2 for v in values)
    weight = sum(w for _, w in segs)
    weighted_mean = sum(v * w for v, w in segs) / weight
    spread = sum(w * (v - weighted_mean) ** 2 for v, w in segs)
    weight_squares = sum(w * w for _, w in segs)
    stored = [y for _, y in points]
    result = {
        'Minimum': min(stored), 'Maximum': max(stored), 'Range': max(stored) - min(stored),
        'Mean': mean, 'Total': sum(values),
        'PopulationStandardDeviation': math.sqrt(squares / n),
        'WeightedMean': weighted_mean,
        'WeightedPopulationStandardDeviation': math.sqrt(spread / weight),
        'WeightedStandardDeviation': math.sqrt(spread / (weight - weight_squares / weight)),
    }
    if n > 1:
        result['StandardDeviation'] = math.sqrt(squares / (n - 1))
    return result


def close(found, wanted, what):
    check(found is not None and abs(found - wanted) < 1e-9, f'{what}: {found} != {wanted}')


def check_interval(interval, points, edge_points, what):
    """`points`: the stored ones (counted); `edge_points`: with the edges."""
    summaries = interval['Summaries']
    check(summaries['Count']['Order'] == len(points), f'{what}: count {summaries["Count"]}')
    check(summaries['Count']['Flow'] == len(points), f'{what}: Flow count')
    for prop, leading in [('Flow', False), ('Level', True)]:
        series = [(x, level_at(x) if leading else y) for x, y in edge_points]
        stats = expected(series, leading)
        stored = [y for _, y in points]
        stats['Minimum'], stats['Maximum'] = min(stored), max(stored)
        stats['Range'] = max(stored) - min(stored)
        for name, wanted in stats.items():
            close(summaries[name][prop], wanted, f'{what} {name} {prop}')


def flow_at(x):
    for (x0, y0), (x1, y1) in zip(POINTS, POINTS[1:]):
        if x0 <= x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    raise ValueError(x)


def level_at(x):
    held = None
    for x0, y0 in POINTS:
        if x0 <= x:
            held = y0
    return held


owner = client(contoso)
member = client(fabrikam)

community_id = owner.Communities.createCommunity(
    CommunityInput('Plant data', 'Streams the plants share')).Id
invitation = handshake.invite(owner.baseClient, f'/api/v1-preview/Communities/{community_id}/Invitations',
                              fabrikam.admin_email)
handshake.answer(member.baseClient, invitation['Id'], 'Accept')
handshake.answer(owner.baseClient, invitation['Id'], 'Confirm')

owner.Types.getOrCreateType(namespace_id, gauge_type())
owner.Streams.createOrUpdateStream(namespace_id, SdsStream(STREAM_ID, TYPE_ID, STREAM_ID, 'readings'))
owner.Streams.insertValues(namespace_id, STREAM_ID, json.dumps(
    [{'Order': x, 'Flow': y, 'Level': y} for x, y in POINTS]))

role = [r for r in owner.Roles.getRoles()
        if r.RoleTypeId == owner.Roles.CommunityMemberRoleTypeId and r.CommunityId == community_id][0]
owner.Streams.patchAccessControl(namespace_id, STREAM_ID, jsonpatch.JsonPatch([{
    'op': 'add', 'path': '/RoleTrusteeAccessControlEntries/-',
    'value': {'AccessRights': 1, 'AccessType': 0,
              'Trustee': {'ObjectId': role.Id, 'TenantId': None, 'Type': 'Role'}}}]))

hits = member.Communities.getCommunityStreams(community_id, 'Gauge')
check([h.Id for h in hits] == [STREAM_ID], [h.Id for h in hits])
self_link = hits[0].Self

# One interval over everything, through the header and through Self.
whole = list(POINTS)
for how, found in [
    ('header', member.SharedStreams.getSummaries(contoso.id, namespace_id, community_id, STREAM_ID, 0, 10, 1)),
    ('Self', member.Streams.getSummariesUrl(self_link, None, 0, 10, 1)),
]:
    check(len(found) == 1, f'{how}: one interval')
    check(found[0]['Start']['Order'] == 0 and found[0]['End']['Order'] == 10, f'{how}: ends')
    check_interval(found[0], whole, whole, how)
close(found[0]['Summaries']['WeightedMean']['Flow'], 19.5, 'trapezoids by hand')
close(found[0]['Summaries']['WeightedMean']['Level'], 20.5, 'steps by hand')

# Two intervals, 0-5 and 5-10: the edge at 5 is interpolated.
two = member.SharedStreams.getSummaries(contoso.id, namespace_id, community_id, STREAM_ID, 0, 10, 2)
check(len(two) == 2, 'two intervals')
close(two[0]['End']['Flow'], flow_at(5), 'the edge event')
check(two[0]['End'] == two[1]['Start'], 'intervals meet')
check_interval(two[0], POINTS[:3], POINTS[:3] + [(5, flow_at(5))], 'first half')
check_interval(two[1], POINTS[3:], [(5, flow_at(5))] + POINTS[3:], 'second half')

# Sampled: per interval the first, last, least and greatest Flow, once each.
for how, found in [
    ('header', member.SharedStreams.getSampledValues(contoso.id, namespace_id, community_id, STREAM_ID,
                                                     0, 10, 'Flow', 2)),
    ('Self', member.Streams.getSampledValuesUrl(self_link, None, 0, 10, 'Flow', 2)),
]:
    wanted = []
    for lo, hi, last in [(0, 5, False), (5, 10, True)]:
        inside = [(x, y) for x, y in POINTS if lo <= x and (x < hi or (last and x <= hi))]
        picks = {inside[0][0], inside[-1][0],
                 min(inside, key=lambda p: p[1])[0], max(inside, key=lambda p: p[1])[0]}
        wanted += sorted(picks)
    check([e['Order'] for e in found] == wanted, f'{how}: sampled {found} != {wanted}')
    check(all(e['Flow'] == dict(POINTS)[e['Order']] for e in found), f'{how}: stored values')

print('summaries: every check passed')
