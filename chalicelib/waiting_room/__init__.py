"""The waiting room: participants' presence, the joining window, the wait estimate, delays,
"we'll text you", the clinician's Start and late notices, and their live pushes.

See docs/waiting-room.md for what each module does.
"""
