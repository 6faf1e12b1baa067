"""The cache file names' SHA-1 without hashlib: the same digest as hashlib's."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from ssogen.model.digest import sha1_hex


@given(st.text())
def test_the_same_digest_as_hashlib(text: str) -> None:
    assert sha1_hex(text) == hashlib.sha1(text.encode("utf-8")).hexdigest()


def test_the_aws_clis_cache_key_of_a_session_name() -> None:
    # botocore's SSOTokenProvider: sha1("my-sso") names ~/.aws/sso/cache/<digest>.json
    assert sha1_hex("my-sso") == "0ad374308c5a4e22f723adf10145eafad7c4031c"
