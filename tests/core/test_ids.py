import pytest

from booth.core.ids import hash_token, is_valid_session_id, new_session_id, new_token, token_matches


@pytest.mark.parametrize("value", ["session-A1", "a" * 128, "user:42.tab_1", new_session_id()])
def test_valid_session_ids(value):
    assert is_valid_session_id(value)


@pytest.mark.parametrize(
    "value", ["short", "a" * 129, "has space1", "semi;colon", "new\nline12", ""]
)
def test_invalid_session_ids(value):
    assert not is_valid_session_id(value)


def test_tokens_are_random_and_verified_against_their_hash_only():
    token = new_token()
    assert len(token) >= 43 and token != new_token()
    stored = hash_token(token)
    assert token not in stored
    assert token_matches(token, stored)
    assert not token_matches(token + "x", stored)
    assert not token_matches(None, stored)
    assert not token_matches("", stored)
