"""Ports: the seams services and the transport meet at, below both.

``Bus`` (committed events out to the sockets, on one node or many) and
``Presence`` (who is online), each with its in-process and its Redis
implementation. Nothing here imports a service, the runtime or the transport;
``runtime.py`` holds one of each.
"""
