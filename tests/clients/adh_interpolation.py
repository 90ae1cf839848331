"""Interpolated reads and boundary types as a partner makes them with
adh-sample-library-preview: Contoso shares streams whose type has a
property in each interpolation mode (and one stream with its own settings
and a property override); Fabrikam reads them through the community with
SharedStreams.getRangeValuesInterpolated, getIndexCollectionValues, the
*Url forms through the search hit's Self, and windows and ranges with
boundary types. Every number is checked against one computed here with
plain arithmetic from the values written.

Any exception the library raises on a communityd answer fails the run.
"""
import json
from datetime import datetime, timedelta, timezone

import jsonpatch
from adh_sample_library_preview import (ADHClient, CommunityInput, SdsBoundaryType,
                                        SdsExtrapolationMode, SdsInterpolationMode, SdsStream,
                                        SdsStreamPropertyOverride, SdsType, SdsTypeCode,
                                        SdsTypeProperty)

import fixture
import handshake

check = fixture.check
contoso, fabrikam = fixture.tenants()
namespace_id = 'default'
MODES = {
    'Linear': None,
    'Leading': SdsInterpolationMode.StepwiseContinuousLeading,
    'Trailing': SdsInterpolationMode.StepwiseContinuousTrailing,
    'Gap': SdsInterpolationMode.Discrete,
    'NullLead': SdsInterpolationMode.ContinuousNullableLeading,
    'NullTrail': SdsInterpolationMode.ContinuousNullableTrailing,
}
T0 = datetime(2024, 3, 1, 12, 0, 0, tzinfo=timezone.utc)
# Three events a minute apart; the nullable properties are null in the last.
WRITTEN = [(0, 10.0, 1.0), (60, 20.0, 2.0), (120, 40.0, None)]


def client(tenant):
    return ADHClient('v1', tenant.id, fixture.url(), tenant.client_id, tenant.client_secret)


def text(seconds):
    t = T0 + timedelta(seconds=seconds)
    return t.strftime('%Y-%m-%dT%H:%M:%S') + ('.%03d' % (t.microsecond // 1000) if t.microsecond else '') + 'Z'


def instant(value):
    return datetime.fromisoformat(value.replace('Z', '+00:00'))


def reading_type():
    double = SdsType('doubleType', SdsTypeCode.Double)
    nullable = SdsType('nullableDoubleType', SdsTypeCode.NullableDouble)
    properties = [SdsTypeProperty('Timestamp', True, SdsType('dateTimeType', SdsTypeCode.DateTime))]
    for name, mode in MODES.items():
        kind = nullable if name.startswith('Null') else double
        properties.append(SdsTypeProperty(name, False, kind, interpolation_mode=mode))
    properties.append(SdsTypeProperty('Count', False, SdsType('intType', SdsTypeCode.Int32)))
    properties.append(SdsTypeProperty('Label', False, SdsType('stringType', SdsTypeCode.String)))
    return SdsType('InterpReading', SdsTypeCode.Object, properties, 'InterpReading')


def event(seconds, value, nullable):
    e = {'Timestamp': text(seconds), 'Count': int(value), 'Label': f'at {seconds}'}
    for name in MODES:
        e[name] = nullable if name.startswith('Null') else value
    return e


def wave_type():
    return SdsType('InterpWave', SdsTypeCode.Object, [
        SdsTypeProperty('Order', True, SdsType('intType', SdsTypeCode.Int32)),
        SdsTypeProperty('Radians', False, SdsType('doubleType', SdsTypeCode.Double)),
    ], 'InterpWave')


def wave(order):
    return {'Order': order, 'Radians': order / 10}


# What SDS's read characteristics give, computed from WRITTEN alone.
def expected_at(seconds, stream_mode=None, overrides=None, extrapolation='All'):
    overrides = overrides or {}
    stored = [event(*w) for w in WRITTEN]
    times = [w[0] for w in WRITTEN]
    if seconds in times:
        return stored[times.index(seconds)]
    if seconds < times[0] or seconds > times[-1]:
        before = seconds < times[0]
        if (before and extrapolation not in ('All', 'Backward')) or \
                (not before and extrapolation not in ('All', 'Forward')):
            return None
        nearest = dict(stored[0] if before else stored[-1])
        nearest['Timestamp'] = text(seconds)
        for name in MODES:
            if mode_of(name, stream_mode, overrides) == 'Discrete':
                nearest[name] = None
        return nearest
    i = max(k for k, t in enumerate(times) if t < seconds)
    a, b = stored[i], stored[i + 1]
    f = (seconds - times[i]) / (times[i + 1] - times[i])
    out = {'Timestamp': text(seconds)}
    for name in list(MODES) + ['Count', 'Label']:
        out[name] = value_between(mode_of(name, stream_mode, overrides), name, a[name], b[name], f)
    return out


def mode_of(name, stream_mode, overrides):
    own = MODES.get(name)
    if own is not None:
        return own.name
    if name in overrides:
        return overrides[name]
    return stream_mode or 'Continuous'


def value_between(mode, name, a, b, f):
    if mode == 'StepwiseContinuousLeading':
        return a
    if mode == 'StepwiseContinuousTrailing':
        return b
    if mode == 'Discrete':
        return None
    if a is None or b is None:
        return {'ContinuousNullableLeading': a, 'ContinuousNullableTrailing': b}.get(mode)
    if name == 'Label':
        return None
    if name == 'Count':
        return round(a + (b - a) * f)  # halves to even, as .NET rounds
    return a + (b - a) * f


def same(got, want, what):
    check(got == want, f'{what}: got {got}, expected {want}')


owner = client(contoso)
member = client(fabrikam)
community_id = owner.Communities.createCommunity(CommunityInput('Interpolation', 'Shared readings')).Id
invitation = handshake.invite(owner.baseClient, f'/api/v1-preview/Communities/{community_id}/Invitations',
                              fabrikam.admin_email)
handshake.answer(member.baseClient, invitation['Id'], 'Accept')
handshake.answer(owner.baseClient, invitation['Id'], 'Confirm')
member_role = [r.Id for r in owner.Roles.getRoles()
               if r.RoleTypeId == owner.Roles.CommunityMemberRoleTypeId and r.CommunityId == community_id][0]


def share(stream_id):
    patch = jsonpatch.JsonPatch([{
        'op': 'add', 'path': '/RoleTrusteeAccessControlEntries/-',
        'value': {'AccessRights': 1, 'AccessType': 0,
                  'Trustee': {'ObjectId': member_role, 'TenantId': None, 'Type': 'Role'}}}])
    owner.Streams.patchAccessControl(namespace_id, stream_id, patch)


# Contoso: a reading stream, the same with its own settings, a wave stream.
reading = owner.Types.getOrCreateType(namespace_id, reading_type())
check([p.InterpolationMode for p in reading.Properties if p.Id == 'Gap'] == [SdsInterpolationMode.Discrete],
      'the type answers its property modes')
owner.Streams.createOrUpdateStream(namespace_id, SdsStream('Interp Readings', reading.Id, 'Interp Readings'))
settings = SdsStream('Interp Settings', reading.Id, 'Interp Settings',
                     interpolation_mode=SdsInterpolationMode.StepwiseContinuousTrailing,
                     extrapolation_mode=SdsExtrapolationMode.Forward,
                     property_overrides=[SdsStreamPropertyOverride('Linear', 'm3', SdsInterpolationMode.Discrete)])
owner.Streams.createOrUpdateStream(namespace_id, settings)
kept = owner.Streams.getStream(namespace_id, 'Interp Settings')
same((kept.InterpolationMode, kept.ExtrapolationMode),
     (SdsInterpolationMode.StepwiseContinuousTrailing, SdsExtrapolationMode.Forward), 'stream settings')
same([(o.SdsTypePropertyId, o.Uom, o.InterpolationMode) for o in kept.PropertyOverrides],
     [('Linear', 'm3', SdsInterpolationMode.Discrete)], 'stream overrides')
for stream_id in ['Interp Readings', 'Interp Settings']:
    owner.Streams.insertValues(namespace_id, stream_id, json.dumps([event(*w) for w in WRITTEN]))
owner.Types.getOrCreateType(namespace_id, wave_type())
owner.Streams.createOrUpdateStream(namespace_id, SdsStream('Interp Wave', 'InterpWave', 'Interp Wave'))
owner.Streams.insertValues(namespace_id, 'Interp Wave', json.dumps([wave(o) for o in [10, 20, 30, 40, 50]]))
for stream_id in ['Interp Readings', 'Interp Settings', 'Interp Wave']:
    share(stream_id)

# Fabrikam reads through the community-id header...
shared = member.SharedStreams
spaced = shared.getRangeValuesInterpolated(contoso.id, namespace_id, community_id, 'Interp Readings',
                                           text(0), text(120), 5)
same(spaced, [expected_at(s) for s in [0, 30, 60, 90, 120]], 'five evenly spaced events')
same(spaced[1]['Linear'], 15.0, 'Continuous halfway from 10 to 20')
indexes = [-60, 15, 60, 100, 300]
collection = shared.getIndexCollectionValues(contoso.id, namespace_id, community_id, 'Interp Readings',
                                             [text(s) for s in indexes])
same(collection, [expected_at(s) for s in indexes], 'an index collection')
same((collection[1]['Count'], collection[3]['NullLead'], collection[3]['NullTrail']), (12, 2.0, None),
     'integers rounded; nullable modes take their side of a null')
with_settings = shared.getIndexCollectionValues(contoso.id, namespace_id, community_id, 'Interp Settings',
                                                [text(s) for s in indexes])
want = [expected_at(s, 'StepwiseContinuousTrailing', {'Linear': 'Discrete'}, 'Forward') for s in indexes]
same(with_settings, [w for w in want if w is not None], 'stream modes, override and Forward extrapolation')
same(len(with_settings), 4, 'no event before the data with Forward')

# ... and through the search hit's Self.
hits = member.Communities.getCommunityStreams(community_id, 'Interp*')
self_of = {h.Id: h.Self for h in hits}
same(sorted(self_of), ['Interp Readings', 'Interp Settings', 'Interp Wave'], 'the shared streams')
via_self = member.Streams.getRangeValuesInterpolatedUrl(self_of['Interp Readings'], None, text(0), text(60), 4)
same(via_self, [expected_at(s) for s in [0, 20, 40, 60]], 'evenly spaced through Self')
same(instant(via_self[1]['Timestamp']) - instant(via_self[0]['Timestamp']), timedelta(seconds=20), 'spacing')
via_self = member.Streams.getIndexCollectionValuesUrl(self_of['Interp Readings'], None, [text(45)])
same(via_self, [expected_at(45)], 'an index collection through Self')
same(via_self[0]['Linear'], 10.0 + (20.0 - 10.0) * 0.75, 'three quarters of the way')

# Windows and ranges with boundary types, on Order 10..50 (Radians = Order / 10).
def orders(values):
    return [(v['Order'], v['Radians']) for v in values]


def window(start, end, **boundaries):
    page = shared.getWindowValuesPaged(contoso.id, namespace_id, community_id, 'Interp Wave', start, end, 100,
                                       **boundaries)
    check(not page.ContinuationToken, 'one page')
    return orders(page.Results)


stored = {o: o / 10 for o in [10, 20, 30, 40, 50]}
B = SdsBoundaryType
same(window(20, 40), [(o, stored[o]) for o in [20, 30, 40]], 'Exact window')
same(window(20, 40, boundaryType=B.Inside), [(30, 3.0)], 'Inside window')
same(window(15, 35, boundaryType=B.Outside), [(o, stored[o]) for o in [10, 20, 30, 40]], 'Outside window')
same(window(15, 35, boundaryType=B.ExactOrCalculated),
     [(15, 10 / 10 + (20 / 10 - 10 / 10) * 0.5), (20, 2.0), (30, 3.0), (35, 3 + (4 - 3) * 0.5)],
     'ExactOrCalculated window')
same(window(20, 40, startBoundaryType=B.Outside, endBoundaryType=B.Inside), [(10, 1.0), (20, 2.0), (30, 3.0)],
     'start Outside, end Inside')
first = shared.getWindowValuesPaged(contoso.id, namespace_id, community_id, 'Interp Wave', 15, 35, 2,
                                    boundaryType=B.Outside)
same(orders(first.Results), [(10, 1.0), (20, 2.0)], 'first page of an Outside window')
rest = shared.getWindowValuesPaged(contoso.id, namespace_id, community_id, 'Interp Wave', 15, 35, 2,
                                   continuation_token=first.ContinuationToken, boundaryType=B.Outside)
same((orders(rest.Results), rest.ContinuationToken), ([(30, 3.0), (40, 4.0)], None), 'last page')


def range_of(start, count, boundary, reversed=False):
    return orders(shared.getRangeValues(contoso.id, namespace_id, community_id, 'Interp Wave', start, 0, count,
                                        reversed, boundary))


same(range_of(15, 2, B.Exact), [(20, 2.0), (30, 3.0)], 'Exact range')
same(range_of(20, 2, B.Inside), [(30, 3.0), (40, 4.0)], 'Inside range')
same(range_of(15, 2, B.Outside), [(10, 1.0), (20, 2.0)], 'Outside range')
same(range_of(15, 2, B.ExactOrCalculated), [(15, 1.5), (20, 2.0)], 'ExactOrCalculated range')
same(range_of(25, 2, B.Outside, reversed=True), [(30, 3.0), (20, 2.0)], 'Outside range, reversed')
same(orders(member.Streams.getRangeValuesInterpolatedUrl(self_of['Interp Wave'], None, 5, 55, 6)),
     [(5, 1.0), (15, 1.5), (25, 2.5), (35, 3.5), (45, 4.5), (55, 5.0)],
     'a numeric index spaced by value, extrapolated at both ends')
print('interpolated reads and boundary types: all checks passed')
