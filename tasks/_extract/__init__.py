"""The event extractor's parts (tasks/extract.py is the entry point): one job per module."""
