"""Monitors: one module per rule, each a pure function from source facts and an as-of date to
finding drafts. ``monitors.runner`` does the I/O around them."""
