"""The Zalo channel (Zalo Bot Platform): typed client, numbered-text renderer, webhook and polling.

See docs/zalo.md for the API facts used, their sources, and what is not confirmed.
"""
