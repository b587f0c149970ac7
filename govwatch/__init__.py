"""govwatch: monitor county 政务公开 portals and turn violations into reviewed findings."""

__version__ = "0.1.0"
