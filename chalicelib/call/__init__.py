"""The consultation call around the media worker: answering a ring, the media gate, who is
in the call and what they send, leaving and dropping, ending, and the visit record."""
