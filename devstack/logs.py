"""Log output of the stack's own processes: devstack's messages, other libraries' warnings.

The app's lines come from Powertools (JSON, as in CloudWatch); botocore's and others'
chatter below WARNING is left out.
"""

from __future__ import annotations

import logging


def configure() -> None:
    logging.basicConfig(level=logging.WARNING, format="devstack: %(message)s")
    logging.getLogger("devstack").setLevel(logging.INFO)
