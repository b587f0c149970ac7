"""Scrapy spiders: one per kind of source."""
