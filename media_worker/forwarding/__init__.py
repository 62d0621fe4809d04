"""Forwarding encoded media: frame assembly, bitstream inspection, keyframe requests, outgoing
timelines and the forwarding tracks.
"""
