"""Languages: one JSON catalogue per language in `locales/`, and the lookups and formatting over
them.
"""
