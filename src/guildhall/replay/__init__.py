"""Lossless reconnect (contract section 18): per-channel event numbers, the replay
log, and ``resume``."""
