"""The page parser's parts; the public names are re-exported by ``tasks.parse``."""
