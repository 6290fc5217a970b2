"""The fetcher's parts; the public names are re-exported by ``tasks.site``."""
