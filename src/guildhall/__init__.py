"""Guildhall: a self-hosted, Discord-like messenger server."""
