"""Readers and writers of catalogue files: the national csdl crawl and the portal's own format."""
