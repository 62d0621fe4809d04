"""Entry point of `python -m devstack`: runs the supervisor."""

from devstack.supervisor import main

raise SystemExit(main())
