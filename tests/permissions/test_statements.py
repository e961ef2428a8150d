"""The permission inputs ride on the authorizing statement as correlated
sub-selects. A sub-select nested two levels down must still be correlated to the
outer row: uncorrelated, SQL joins the outer table in again (``FROM member_roles,
channels``), a scan of every channel of the database on each send (measured:
~0.4 s a send with 10,000 channels; docs/decisions/permissions.md)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import bindparam, select

from guildhall.guilds import access
from guildhall.models import Guild
from guildhall.permissions.compute import roles_column

STATEMENTS = {
    "channel row": access._CHANNEL_ROW,
    "channel row with author": access._CHANNEL_ROW_WITH_AUTHOR,
    "message row": access._MESSAGE_ROW,
    **{
        f"{name} as plain columns": access._CHANNEL_COLUMNS[stmt]
        for name, stmt in (
            ("channel row", access._CHANNEL_ROW),
            ("channel row with author", access._CHANNEL_ROW_WITH_AUTHOR),
        )
    },
    "roles per guild": select(Guild.id, roles_column(Guild.id, bindparam("user_id"))),
}


@pytest.mark.parametrize("name", list(STATEMENTS))
def test_no_sub_select_joins_a_table_of_the_outer_statement(name):
    sql = str(STATEMENTS[name])
    froms = re.findall(r"FROM ([^\n]*?)\s*(?:WHERE|\)|$)", sql, flags=re.MULTILINE)
    assert froms, sql
    crossed = [f for f in froms if "," in f]
    assert crossed == [], sql
