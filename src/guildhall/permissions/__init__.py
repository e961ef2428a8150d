"""Discord's permission model: the bits, and the one resolver every route and
socket event asks "may this member do this here?"."""

from guildhall.permissions.bits import ALL, EVERYONE_DEFAULT, Permission, name_of

__all__ = ["ALL", "EVERYONE_DEFAULT", "Permission", "name_of"]
