from __future__ import annotations

import pytest

from guildhall.kit.validation import fold
from guildhall.models import User
from tests.conftest import assert_error


async def insert_users(rt, names):
    """Many users at once, without paying for password hashing."""
    async with rt.transaction() as tx:
        for name in names:
            tx.session.add(
                User(
                    username=name,
                    email=f"{name}@example.com",
                    username_key=fold(name),
                    email_key=fold(f"{name}@example.com"),
                    password_hash="x",
                )
            )


class TestListUsers:
    async def test_shape_order_and_no_email(self, rt, alice, make_user):
        await make_user("Bob")
        await insert_users(rt, ["carl", "Aaron", "zed"])
        r = await alice.get("/api/users")
        assert r.status_code == 200
        users = r.json()
        assert [u["username"] for u in users] == ["Aaron", "alice", "Bob", "carl", "zed"]
        for u in users:
            assert set(u) == {"id", "username", "display_name", "avatar", "status"}
            assert isinstance(u["id"], int) and u["avatar"] is None
        assert "example.com" not in r.text

    async def test_status_follows_presence(self, rt, alice, bob):
        await rt.presence.connect(bob.user["id"])
        users = {u["username"]: u["status"] for u in (await alice.get("/api/users")).json()}
        assert users == {"alice": "offline", "bob": "online"}
        await rt.presence.disconnect(bob.user["id"])
        users = {u["username"]: u["status"] for u in (await alice.get("/api/users")).json()}
        assert users["bob"] == "offline"

    async def test_limit_and_offset(self, rt, alice):
        await insert_users(rt, [f"user{i:02d}" for i in range(10)])
        r = await alice.get("/api/users", params={"limit": 3, "offset": 2})
        assert [u["username"] for u in r.json()] == ["user01", "user02", "user03"]
        r = await alice.get("/api/users", params={"offset": 100})
        assert r.status_code == 200 and r.json() == []
        r = await alice.get("/api/users", params={"limit": 5000})  # served at the maximum
        assert r.status_code == 200 and len(r.json()) == 11

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"limit": "abc"}, "limit"),
            ({"limit": 0}, "limit"),
            ({"limit": -5}, "limit"),
            ({"offset": -1}, "offset"),
            ({"offset": "1.5"}, "offset"),
            ({"offset": 10**30}, "offset"),
            ({"limit": " 5"}, "limit"),
            ({"offset": "1_0"}, "offset"),
        ],
    )
    async def test_bad_paging(self, alice, params, field):
        assert_error(await alice.get("/api/users", params=params), 400, "INVALID_INPUT", field)

    async def test_anonymous_refused(self, anon, alice):
        assert_error(await anon().get("/api/users"), 401, "AUTH_REQUIRED")


class TestSearchUsers:
    async def test_substring_case_insensitive_prefix_first(self, rt, alice):
        await insert_users(rt, ["Malcolm", "ALBERT", "sal", "bob", "Al_x"])
        r = await alice.get("/api/search/users", params={"q": "aL"})
        assert r.status_code == 200
        body = r.json()
        names = [u["username"] for u in body["results"]]
        # prefix matches (alphabetical) before the other substring matches
        assert names == ["Al_x", "ALBERT", "alice", "Malcolm", "sal"]
        assert body["count"] == 5
        assert all(set(u) == {"username", "display_name", "avatar"} for u in body["results"])

    async def test_like_wildcards_are_literal(self, rt, alice):
        await insert_users(rt, ["b_al", "bxal"])
        names = [
            u["username"] for u in (await alice.get("/api/search/users?q=_a")).json()["results"]
        ]
        assert names == ["b_al"]
        r = await alice.get("/api/search/users", params={"q": "%%"})
        assert r.json() == {"results": [], "count": 0}

    async def test_folds_any_script(self, rt, alice):
        await insert_users(rt, ["Ålesund", "ЖЕНЯ"])
        r = await alice.get("/api/search/users", params={"q": "åle"})
        assert [u["username"] for u in r.json()["results"]] == ["Ålesund"]
        r = await alice.get("/api/search/users", params={"q": "женя"})
        assert [u["username"] for u in r.json()["results"]] == ["ЖЕНЯ"]

    async def test_at_most_25_results(self, rt, alice):
        await insert_users(rt, [f"member{i:02d}" for i in range(30)])
        body = (await alice.get("/api/search/users", params={"q": "member"})).json()
        assert body["count"] == 25 and len(body["results"]) == 25
        assert body["results"][0]["username"] == "member00"

    # "ß" folds to "ss": the length counts as typed too.
    @pytest.mark.parametrize("q", [None, "", "a", " a ", "ß"])
    async def test_query_too_short(self, alice, q):
        params = {} if q is None else {"q": q}
        assert_error(await alice.get("/api/search/users", params=params), 400, "INVALID_INPUT", "q")

    async def test_huge_query_finds_nothing(self, alice):
        r = await alice.get("/api/search/users", params={"q": "a" * 5000})
        assert r.status_code == 200 and r.json() == {"results": [], "count": 0}

    async def test_anonymous_refused(self, anon):
        assert_error(await anon().get("/api/search/users?q=al"), 401, "AUTH_REQUIRED")
