"""Users as others see them (never their email), and their presence."""

from __future__ import annotations

from guildhall.runtime import Runtime


async def user_status(rt: Runtime, user_id: int) -> str:
    """``online`` while the user has a connected socket on any node."""
    if rt.presence is None:
        return "offline"
    return "online" if await rt.presence.is_online(user_id) else "offline"


async def statuses(rt: Runtime, user_ids: list[int]) -> dict[int, str]:
    """Presence of many users in one round trip."""
    if rt.presence is None or not user_ids:
        return dict.fromkeys(user_ids, "offline")
    online = await rt.presence.online_among(user_ids)
    return {uid: ("online" if uid in online else "offline") for uid in user_ids}
