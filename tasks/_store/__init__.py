"""The store's parts; ``tasks.store`` holds the ``Store`` callers use and re-exports the public names."""
