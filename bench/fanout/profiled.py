"""``guildhall serve`` under cProfile: SIGUSR1 writes the profile to argv[1].

python profiled.py OUT.prof serve --host 127.0.0.1 --port PORT
"""

import cProfile
import signal
import sys

from guildhall.cli import cli

out = sys.argv[1]
profile = cProfile.Profile()


def dump(*_: object) -> None:
    profile.disable()
    profile.dump_stats(out)
    profile.enable()


signal.signal(signal.SIGUSR1, dump)
sys.argv = ["guildhall", *sys.argv[2:]]
profile.enable()
cli()
