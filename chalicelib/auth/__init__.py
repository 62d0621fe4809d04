"""Who is asking: principals, secret tokens, single-use tickets and magic links, clinician
sessions, rate limits.
"""
