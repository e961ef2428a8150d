"""PostgreSQL looks for a search's words in id windows, row by row, then in the
rest of the range through the text index (search/windows.py). Forced onto both
engines here, with windows of one or two ids that double, it must answer exactly
what the single statement answers, for every filter and page."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from guildhall.search import engines, service, windows
from tests.messages.factories import make_channel, make_upload
from tests.search.test_filters import ids, post, set_time


def _walking(monkeypatch: Any, walks: bool) -> None:
    """Every engine walks windows (``walks``) or runs the single statement."""

    def text_search(dialect: Any) -> engines.TextSearch:
        return dataclasses.replace(engines.text_search(dialect), walks=walks)

    monkeypatch.setattr(service, "text_search", text_search)


def _spans(monkeypatch: Any) -> list[windows.Span]:
    """The spans the walks run over, recorded."""
    seen: list[windows.Span] = []
    walk = windows.walk

    async def recording(tx: Any, match: Any, conditions: Any, where: Any, *a: Any, **k: Any) -> Any:
        seen.append(where)
        return await walk(tx, match, conditions, where, *a, **k)

    monkeypatch.setattr(windows, "walk", recording)
    return seen


def _rests(monkeypatch: Any, index_first: bool | None) -> list[bool]:
    """How each walk's rest is searched: every match first (True) or in id order
    (False), as ``index_first`` says (``None``: as the walk decides); recorded."""
    seen: list[bool] = []
    decide = windows.text_index_first

    def forced(*a: Any) -> bool:
        seen.append(decide(*a) if index_first is None else index_first)
        return seen[-1]

    monkeypatch.setattr(windows, "text_index_first", forced)
    return seen


def _tiny_windows(monkeypatch: Any) -> None:
    """Windows of one or two ids, doubling, on any range."""
    monkeypatch.setattr(windows, "IDS_PER_HIT", 0.001)
    monkeypatch.setattr(windows, "GROWTH", 2)
    monkeypatch.setattr(windows, "MIN_ROWS", 0.0)


async def _history(world: Any) -> dict[str, Any]:
    """36 messages over two channels and two authors, a day apart in January and
    February 2024, with links, mentions, files, images and pins among them."""
    other = await make_channel(world.alice, world.guild_id, "other")
    bob_id = world.bob.user["id"]
    sent = []
    for i in range(36):
        words = ["report", "alpha" if i % 2 == 0 else "beta", f"n{i}"]
        if i % 5 == 0:
            words.append(f"https://site.example/{i}")
        if i % 7 == 0:
            words.append(f"<@{bob_id}>")
        if i % 3 == 1:
            words += ["report", "report"]  # ranks higher
        author = world.bob if i % 3 == 0 else world.alice
        extra: dict[str, Any] = {}
        if i % 6 == 0:
            upload = await make_upload(author, "image.png" if i % 12 == 0 else "notes.txt")
            extra["files"] = [upload["path"]]
        channel = other if i % 4 == 0 else world.channel_id
        m = await post(author, channel, " ".join(words), **extra)
        if i % 8 == 0:
            r = await world.alice.post(f"/api/messages/{m['id']}/pin")
            assert r.status_code == 200, r.text
        await set_time(world.rt, m["id"], f"2024-{1 + i // 28:02d}-{1 + i % 28:02d}T12:00:00Z")
        sent.append(m["id"])
    return {"other": other, "bob": bob_id, "alice": world.alice.user["id"], "sent": sent}


def _searches(h: dict[str, Any]) -> list[dict[str, Any]]:
    words = [{"q": "report"}, {"q": "alpha"}, {"q": "repo"}, {"q": "beta rep"}]
    filters: list[dict[str, Any]] = [
        {},
        {"author_id": h["bob"]},
        {"author_id": h["alice"], "channel_id": h["other"]},
        {"channel_id": h["other"]},
        {"has": "link"},
        {"has": "file"},
        {"has": "image"},
        {"has": ["file", "link"]},
        {"mentions": h["bob"]},
        {"pinned": "true"},
        {"pinned": "false"},
        {"before": "2024-01-20"},
        {"after": "2024-01-10"},
        {"after": "2024-01-05", "before": "2024-02-03T00:00:00Z"},
        {"after": "2024-01-05", "author_id": h["alice"], "has": "link"},
    ]
    pages: list[dict[str, Any]] = [
        {"limit": 100},
        {"limit": 3},
        {"limit": 4, "offset": 5},
        {"limit": 2, "offset": 30},
        {"sort": "oldest", "limit": 100},
        {"sort": "oldest", "limit": 3, "offset": 2},
        {"sort": "relevance", "limit": 100},
        {"sort": "relevance", "limit": 3, "offset": 1},
    ]
    out = [{**w, **f, "limit": 100} for w in words for f in filters]
    out += [{**w, **p} for w in words[:2] + words[3:] for p in pages]
    few = [pages[1], pages[2], pages[5], pages[7]]
    out += [{"q": "report", **f, **p} for f in filters[1:] for p in few]
    return [*out, {"q": "nowhere"}, {"q": "report", "has": "poll"}]


async def _answers(world: Any, searches: list[dict[str, Any]]) -> list[list[int]]:
    return [await ids(world.alice, **params) for params in searches]


class TestSameHitsAsOneStatement:
    # Row by row over the whole range; or six ids of it, then the rest: every
    # match of it from the text index first, or in the planner's id order.
    @pytest.mark.parametrize(("scan_rows", "index_first"), [(1e9, None), (6.0, True), (6.0, False)])
    async def test_every_filter_and_page(self, world, monkeypatch, scan_rows, index_first):
        h = await _history(world)
        searches = _searches(h)
        _walking(monkeypatch, False)
        plain = await _answers(world, searches)
        # The plain answers are real ones, not a run of empty lists.
        assert plain[0] == h["sent"][::-1]
        assert sum(1 for hits in plain if hits) > len(searches) * 3 // 4

        _walking(monkeypatch, True)
        _tiny_windows(monkeypatch)
        monkeypatch.setattr(windows, "SCAN_ROWS", scan_rows)
        rests = _rests(monkeypatch, index_first)
        spans = _spans(monkeypatch)
        walked = await _answers(world, searches)
        for params, want, got in zip(searches, plain, walked, strict=True):
            assert got == want, params
        # Every search but relevance walked, from windows of one or two ids.
        ranked = [p for p in searches if p.get("sort") == "relevance"]
        assert len(spans) == len(searches) - len(ranked)
        assert max(s.first for s in spans) <= 2
        assert min(s.high - s.low for s in spans) > 10
        # The rest was searched when the budget ran out, the way asked.
        assert (rests == []) == (index_first is None)
        assert set(rests) <= {index_first}

    async def test_relevance_keeps_its_single_statement(self, world, monkeypatch):
        """Relevance ranks the newest candidates in one statement: walking windows
        for 500 candidates cost more than it saved (docs/decisions/search.md)."""
        h = await _history(world)
        monkeypatch.setattr(service, "RELEVANCE_CANDIDATES", 5)
        _walking(monkeypatch, True)
        _tiny_windows(monkeypatch)
        spans = _spans(monkeypatch)
        got = await ids(world.alice, q="report", sort="relevance", limit=3)
        # Only the newest five are ranked: the best older matches are left out.
        assert len(got) == 3 and set(got) <= set(h["sent"][::-1][:5])
        assert spans == []


class TestWhenItWalks:
    async def test_postgresql_walks_a_scope_wider_than_one_window(self, world, monkeypatch):
        await world.send_many(world.alice, 12, "entry")
        spans = _spans(monkeypatch)
        monkeypatch.setattr(windows, "IDS_PER_HIT", 0.1)
        monkeypatch.setattr(windows, "MIN_ROWS", 0.0)
        walks = 1 if world.rt.db.dialect.name == "postgresql" else 0
        got = await ids(world.alice, q="entry", limit=2)
        assert len(got) == 2
        assert len(spans) == walks
        # No words: the filters' own indexes, never a walk.
        assert len(await ids(world.alice, channel_id=world.channel_id, limit=2)) == 2
        assert len(spans) == walks

    async def test_one_window_over_everything_is_the_single_statement(self, world, monkeypatch):
        _walking(monkeypatch, True)
        monkeypatch.setattr(windows, "MIN_ROWS", 0.0)
        await world.send_many(world.alice, 12, "entry")
        spans = _spans(monkeypatch)
        # A page of 20 at 200 ids a hit: wider than the 12 ids there are.
        assert len(await ids(world.alice, q="entry")) == 12
        assert spans == []

    async def test_a_small_range_is_the_single_statement(self, world, monkeypatch):
        _walking(monkeypatch, True)
        monkeypatch.setattr(windows, "IDS_PER_HIT", 0.1)
        await world.send_many(world.alice, 12, "entry")
        spans = _spans(monkeypatch)
        # Twelve messages, fewer than MIN_ROWS: no windows.
        assert len(await ids(world.alice, q="entry", limit=2)) == 2
        assert spans == []


class TestTextIndexFirst:
    """The rest of a walk reads every match first when the windows' hits predict
    few (docs/decisions/search.md; the cases measured at 1M messages)."""

    def test_no_hit_in_the_windows(self):
        # ``zzzwjwv``: no match in 4,005 ids, the planner's walk read all 1M rows.
        assert windows.text_index_first(0, 20, 4005, 995_996, 0.999)

    def test_a_rare_word(self):
        # ``yukglhnl``: 1 hit in 4,005 ids (244 in all): ~250 matches to read,
        # against ~76,000 ids walked for the 19 missing.
        assert windows.text_index_first(1, 19, 4005, 995_996, 0.999)

    def test_a_common_word_needing_many_hits(self):
        # ``hello``, oldest, offset 1000: 82 hits in 8,200 ids, ~10,000 matches
        # left, where 938 more are ~94,000 ids away.
        assert not windows.text_index_first(82, 938, 8200, 991_800, 0.999)
