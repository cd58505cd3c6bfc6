"""Child processes of a ``pytest --today DATE`` run travel to the same date.

``tests/conftest.py`` puts this folder on ``PYTHONPATH`` and the date in ``TESTS_TODAY``
for the run, so a CLI started in a subprocess (the workflow's steps, a pseudo-terminal)
sees the day the store in the test process sees.
"""

import os

if os.environ.get("TESTS_TODAY"):
    import time_machine

    time_machine.travel(f"{os.environ['TESTS_TODAY']}T12:00:00+00:00", tick=True).start()
