"""Checks computed on the pixels, offline. Each module reads one thing from the image and answers
`pass`, `warn`, `fail` or `unavailable` (never `pass` when what it needs is not installed)."""
