"""An on-demand mutation run over the security modules (see README.md); not part of `make test`."""
