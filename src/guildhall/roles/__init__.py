"""Roles, member roles and channel permission overwrites (contract section 13)."""
