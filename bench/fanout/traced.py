"""``guildhall serve`` with an object census on demand: every SIGUSR1 writes
``argv[1].<n>`` (n = 0, 1, ...), a JSON map of type name → [objects, shallow
bytes] over everything the garbage collector tracks, to compare what connected
sockets hold. (tracemalloc slowed sign-in past the clients' timeouts on the
shared machine; a census costs a second or two, once.)

python traced.py OUT serve --host 127.0.0.1 --port PORT
"""

import gc
import json
import signal
import sys
from collections import Counter

from guildhall.cli import cli

out = sys.argv[1]
taken = 0


def dump(*_: object) -> None:
    global taken
    gc.collect()
    count: Counter[str] = Counter()
    size: Counter[str] = Counter()
    for obj in gc.get_objects():
        t = type(obj)
        name = f"{t.__module__}.{t.__qualname__}"
        count[name] += 1
        size[name] += sys.getsizeof(obj)
        # Containers' contents that the collector does not track (str, bytes).
        if isinstance(obj, dict):
            for v in obj.values():
                if isinstance(v, (str, bytes, bytearray)) and not gc.is_tracked(v):
                    size["(str/bytes in dicts)"] += sys.getsizeof(v)
    census = {k: [count[k], size[k]] for k in size}
    with open(f"{out}.{taken}", "w") as f:
        json.dump(census, f)
    taken += 1


signal.signal(signal.SIGUSR1, dump)
sys.argv = ["guildhall", *sys.argv[2:]]
cli()
