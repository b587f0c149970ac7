"""Crawling: spiders, extraction and pagination for county government portals."""
