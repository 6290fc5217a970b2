"""The poster renderer's parts; the public names are re-exported by ``tasks.poster``."""
