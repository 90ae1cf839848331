"""The invitation steps, which neither library wraps in a method of its own.

They go through the library's own BaseClient (its token, headers and
checkResponse, which raises SdsError on any error status), so a request or
answer the library cannot handle still fails the script.
"""
import json


def call(base, method, path, body=None, ok_message='request failed'):
    response = base.request(method, base.uri + path,
                            data=None if body is None else json.dumps(body))
    base.checkResponse(response, ok_message)
    return response.json() if response.content else None


def invite(base, invitations_path, email):
    return call(base, 'post', invitations_path, {'InvitationRecipient': email},
                'Failed to invite')


def answer(base, invitation_id, action):
    return call(base, 'put', f'/api/v1-preview/communityinvitations/{invitation_id}',
                {'Action': action}, f'Failed to {action}')
