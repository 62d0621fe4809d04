"""The local stack: runs the whole of Vestibule on one machine with the code that runs in AWS.

`python -m devstack` (or `make run`) starts moto as the AWS, creates the tables and seeds a
demo clinic, then serves the Chalice app: REST through Chalice's local server, websockets
through a small API Gateway emulation, the sweeper on a timer, a developer outbox and a
status page. `devstack.supervisor` describes how the processes fit together.
"""

from pathlib import Path

#: The repository's root: the app, `.chalice/` and `web/` are found from here.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
