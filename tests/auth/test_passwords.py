"""The production password hash (the suite swaps in a cheap one: tests/conftest.py)."""

from __future__ import annotations

from argon2 import Type, extract_parameters

from guildhall.auth import passwords


def test_production_hashes_are_argon2id_at_rfc_9106s_low_memory_profile():
    params = extract_parameters(passwords.STRONG.hash("correct horse battery"))
    assert params.type is Type.ID
    assert (params.memory_cost, params.time_cost, params.parallelism) == (65536, 3, 4)


async def test_a_strong_hash_verifies_whatever_hasher_is_in_use():
    """Hashes carry their parameters: a stored production hash still verifies."""
    stored = passwords.STRONG.hash("correct horse battery")
    assert await passwords.verify_password(stored, "correct horse battery")
    assert not await passwords.verify_password(stored, "wrong horse battery")


def test_the_unknown_user_hash_costs_what_a_real_one_does():
    """The fixed hash a missing user's password is verified against has STRONG's
    parameters (a verify costs what they say), so an unknown name answers no faster."""
    assert not passwords.STRONG.check_needs_rehash(passwords.EQUALISER_HASH)
    assert passwords.STRONG.verify(passwords.EQUALISER_HASH, "guildhall-timing-equaliser")
